package dev.ferry.core.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The process-wide registry. In {@code ferry dev} every service runs in one JVM and one scrape of the gateway's
 * {@code /metrics} shows them all; a service alone serves the same registry with {@link MetricsServer}.
 */
public final class FerryMetrics {

    private static final PrometheusMeterRegistry REGISTRY = create();

    private FerryMetrics() {
    }

    public static PrometheusMeterRegistry registry() {
        return REGISTRY;
    }

    /**
     * Counts one record a stage could not write (or read) whole because of its size, and what became of it
     * (issue 11): {@code ferry_oversized_records_total{stage, outcome}}, e.g. stage {@code worker} with outcome
     * {@code output_dropped}, or stage {@code metering} with outcome {@code dead_lettered} or {@code skipped}.
     */
    public static void oversized(String stage, String outcome) {
        REGISTRY.counter("ferry.oversized.records", "stage", stage, "outcome", outcome).increment();
    }

    @SuppressWarnings("resource") // the GC binder lives as long as the process, like the registry
    private static PrometheusMeterRegistry create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }
}

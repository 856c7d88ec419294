package dev.ferry.core.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide registry. Every service of a process registers here, and the process's
 * {@link ManagementServer} serves it: in {@code ferry dev} one scrape shows them all. Meters whose values are read
 * from elsewhere (the gateway's lag and replica gauges) refresh through a {@link #beforeScrape} hook.
 */
public final class FerryMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(FerryMetrics.class);
    private static final PrometheusMeterRegistry REGISTRY = create();
    private static final List<Runnable> HOOKS = new CopyOnWriteArrayList<>();

    private FerryMetrics() {
    }

    public static PrometheusMeterRegistry registry() {
        return REGISTRY;
    }

    /** Runs {@code hook} before every {@link #scrape()} until the returned handle is closed. */
    public static AutoCloseable beforeScrape(Runnable hook) {
        HOOKS.add(hook);
        return () -> HOOKS.remove(hook);
    }

    /** The registry in Prometheus text format, after the {@link #beforeScrape} hooks ran (a failing one is logged). */
    public static String scrape() {
        for (Runnable hook : HOOKS) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                LOG.warn("A metrics refresh failed before a scrape: {}", e.toString());
            }
        }
        return REGISTRY.scrape();
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
        // How many Kafka clients this process holds, by kind (issue 13, part 3), whatever their client ids:
        // KafkaClientCounter says why not by their MBeans. Threads: jvm_threads_live_threads, above.
        for (String kind : List.of("producer", "consumer", "share-consumer", "admin")) {
            Gauge.builder("ferry.kafka.clients", () -> KafkaClientCounter.count(kind))
                    .description("Live Kafka clients in this process").tag("kind", kind).register(registry);
        }
        return registry;
    }
}

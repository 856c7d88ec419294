package dev.ferry.worker;

import dev.ferry.core.FunctionRef;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A pool's counters and gauges in the process's registry, read from {@link WorkerPool#stats()} at scrape time, so
 * the hot path records nothing extra. Removed with the pool, so a deleted function leaves no stale series.
 */
final class PoolMeters implements AutoCloseable {

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    PoolMeters(MeterRegistry registry, FunctionRef ref, WorkerPool pool) {
        this.registry = registry;
        Tags tags = Tags.of("tenant", ref.tenant(), "function", ref.function());
        counter("ferry.worker.attempts", "Attempts whose result was written", tags.and("outcome", "all"), pool,
                p -> p.stats().processed());
        counter("ferry.worker.attempts", "Attempts whose result was written", tags.and("outcome", "succeeded"), pool,
                p -> p.stats().succeeded());
        counter("ferry.worker.attempts", "Attempts whose result was written", tags.and("outcome", "failed"), pool,
                p -> p.stats().failed());
        counter("ferry.worker.retries", "Attempts handed to a retry tier", tags, pool, p -> p.stats().retried());
        counter("ferry.worker.dead.letters", "Records sent to the dead-letter topic", tags, pool,
                p -> p.stats().deadLettered());
        counter("ferry.worker.abandoned.runs", "Timed-out runs that ignored their interrupt and kept their thread",
                tags, pool, p -> p.stats().abandonedRuns());
        counter("ferry.worker.recycles", "Replicas replaced because too many of their runs were abandoned", tags,
                pool, p -> p.stats().recycles());
        meters.add(Gauge.builder("ferry.worker.abandoned.threads", pool, p -> p.stats().abandonedThreads())
                .description("Threads still held by abandoned runs (daemon threads; recycled replicas included)")
                .tags(tags).register(registry));
        meters.add(Gauge.builder("ferry.worker.in.flight", pool, p -> p.stats().inFlight())
                .description("Invocations running now").tags(tags).register(registry));
        meters.add(Gauge.builder("ferry.worker.replicas", pool, WorkerPool::replicas)
                .description("Replicas of the worker pool in this process").tags(tags).register(registry));
    }

    private void counter(String name, String description, Tags tags, WorkerPool pool,
            ToDoubleFunction<WorkerPool> value) {
        meters.add(FunctionCounter.builder(name, pool, value).description(description).tags(tags).register(registry));
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}

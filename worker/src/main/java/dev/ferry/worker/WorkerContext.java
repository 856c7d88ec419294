package dev.ferry.worker;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.worker.internal.WorkerResources;
import java.time.Clock;

/**
 * What all worker pools of one process share: the Kafka clients and serdes, one producer for results, retries
 * and dead letters, the retry tier forwarders, timers and the runtimes. Create one per process, hand it to every
 * {@link WorkerPool} (or to a {@link WorkerService}), and close it after them.
 *
 * <p>Creating it ensures {@code ferry.results}, {@code ferry.dlq} and the retry tier topics exist.
 */
public final class WorkerContext implements AutoCloseable {

    final WorkerResources resources;
    private final FerryRuntime runtime;
    /** Whether {@link #runtime} was built for this context alone, to close with it. */
    private final boolean ownsRuntime;

    /** A context with a runtime of its own, closed with it: for a process that runs nothing else, and tests. */
    public WorkerContext(FerryConfig config) {
        this(config, Clock.systemUTC());
    }

    /** As {@link #WorkerContext(FerryConfig)}, with an injected clock. */
    public WorkerContext(FerryConfig config, Clock clock) {
        this(FerryRuntime.create(config), true, clock);
    }

    /** The worker context of the process {@code runtime} serves; closing the context leaves the runtime open. */
    public WorkerContext(FerryRuntime runtime) {
        this(runtime, Clock.systemUTC());
    }

    /** With an injected clock: results' timestamps, deadlines and retry due times read it. */
    public WorkerContext(FerryRuntime runtime, Clock clock) {
        this(runtime, false, clock);
    }

    private WorkerContext(FerryRuntime runtime, boolean ownsRuntime, Clock clock) {
        this.runtime = runtime;
        this.ownsRuntime = ownsRuntime;
        try {
            this.resources = new WorkerResources(runtime, clock);
        } catch (RuntimeException e) {
            if (ownsRuntime) {
                runtime.close();
            }
            throw e;
        }
    }

    /** The process runtime: its directories are what {@link WorkerService} and {@link TriggerService} follow. */
    public FerryRuntime runtime() {
        return runtime;
    }

    public FerryConfig config() {
        return resources.config();
    }

    public TopicCatalog topics() {
        return resources.topics();
    }

    /** {@code worker.id}, or the host name; each replica's results say {@code <name>#<replica index>}. */
    public String workerName() {
        return resources.workerName();
    }

    @Override
    public void close() {
        resources.close();
        if (ownsRuntime) {
            runtime.close();
        }
    }
}

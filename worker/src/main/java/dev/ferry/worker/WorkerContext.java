package dev.ferry.worker;

import dev.ferry.core.config.FerryConfig;
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

    public WorkerContext(FerryConfig config) {
        this(config, Clock.systemUTC());
    }

    /** With an injected clock: results' timestamps, deadlines and retry due times read it. */
    public WorkerContext(FerryConfig config, Clock clock) {
        this.resources = new WorkerResources(config, clock);
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
    }
}

package dev.ferry.worker.internal.trigger;

import dev.ferry.schemas.TriggerStatus;
import dev.ferry.worker.internal.WorkerResources;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one replica's {@link TriggerStatus} to the compacted {@code ferry.trigger-status} every
 * {@code trigger.status.interval.ms}, keyed {@code tenant/name/<worker>}, and a tombstone when the replica stops
 * cleanly (docs/design.md section 10). Runs on the process's timer, so a replica stuck in a restart loop still
 * reports that it is FAILING. A lost report is only logged: the next one replaces it.
 */
final class StatusReporter {

    private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);

    private final WorkerResources resources;
    private final String topic;
    private final byte[] key;
    private final Serializer<TriggerStatus> serializer;
    private final Supplier<TriggerStatus> snapshot;
    private ScheduledFuture<?> task;

    StatusReporter(WorkerResources resources, TriggerReplicaSettings settings, Supplier<TriggerStatus> snapshot) {
        this.resources = resources;
        this.topic = resources.topics().triggerStatus();
        this.key = (settings.ref().key() + "/" + settings.worker()).getBytes(StandardCharsets.UTF_8);
        this.serializer = resources.serdes().serializer(TriggerStatus.class);
        this.snapshot = snapshot;
    }

    synchronized void start() {
        long interval = resources.config().triggers().statusIntervalMs();
        // A send may block on metadata; the process's one timer thread also runs retries' backoffs and timeouts.
        task = resources.timers().scheduleAtFixedRate(() -> CompletableFuture.runAsync(this::report), 0, interval,
                TimeUnit.MILLISECONDS);
    }

    void report() {
        try {
            resources.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, snapshot.get())))
                    .exceptionally(error -> {
                        log.debug("A trigger status was not written: {}", error.toString());
                        return null;
                    });
        } catch (RuntimeException e) {
            log.warn("A trigger status could not be built: {}", e.toString());
        }
    }

    /** Stops reporting and removes the replica's entry. */
    synchronized void stop() {
        if (task != null) {
            task.cancel(false);
        }
        CompletableFuture.runAsync(() -> resources.send(new ProducerRecord<>(topic, key, null)));
    }
}

package dev.ferry.core.kafka;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Where a {@link TopicTail} lists the end offsets it waits for in a {@link TopicTail#readToEnd()}: an admin client
 * of their own, off the tails' connections (issue 16, idle cost).
 *
 * <p>Why not the tail's consumer: an idle tail's fetch is held by the broker for up to
 * {@link GroupPolls#IDLE_FETCH_WAIT}, and a broker answers one request per connection at a time, so a lookup on the
 * tail's own connection would queue behind that fetch. The ends are {@code read_committed} ones (the last stable
 * offset), as the tail's consumer would have listed them. With the lookups on the consumer and a 5 s hold, a tail of
 * an empty topic took 5 s to say it had caught up, and every service's readiness with it.
 *
 * <p>Ownership: a process's {@link dev.ferry.core.runtime.FerryRuntime} holds one, given to its
 * {@link KafkaClients}, so every tail of the process lists on one admin client, which the runtime closes last. A
 * tail built on a {@code KafkaClients} without one (a tool's, a test's) makes its own and closes it with itself. The
 * admin client is created at the first lookup, so a holder that never tails connects to nothing. Thread-safe.
 */
public final class TailOffsets implements AutoCloseable {

    /** How long listing a topic's end offsets for a read-to-end may take before the tail fails and restarts. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final FerryConfig config;
    private final String clientId;
    private Admin admin;
    private boolean closed;

    private TailOffsets(FerryConfig config, String clientId) {
        this.config = config;
        this.clientId = clientId;
    }

    /**
     * Lookups over {@code config}'s connection settings, as client {@code clientId}. Connects to nothing until the
     * first lookup.
     */
    public static TailOffsets create(FerryConfig config, String clientId) {
        return new TailOffsets(config, clientId);
    }

    /**
     * The {@code read_committed} end offset of each of {@code partitions}.
     *
     * @throws FerryException when they cannot be listed within {@link #TIMEOUT} (the cause says why), or after
     *     {@link #close()}
     */
    Map<TopicPartition, Long> endOffsets(Set<TopicPartition> partitions) {
        Admin lookups = admin();
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, OffsetSpec.latest()));
        try {
            Map<TopicPartition, ListOffsetsResultInfo> listed = lookups.listOffsets(query,
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, Long> ends = new HashMap<>();
            listed.forEach((p, info) -> ends.put(p, info.offset()));
            return ends;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted while listing the end offsets of " + partitions, e);
        } catch (ExecutionException e) {
            throw new FerryException("Cannot list the end offsets of " + partitions + ": " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new FerryException("Listing the end offsets of " + partitions + " took over "
                    + TIMEOUT.toMillis() + " ms", e);
        }
    }

    /**
     * The last stable offset and the high watermark of every partition of those of {@code topics} that exist, for
     * the process's watch of hanging transactions ({@link StuckTransactions}), on the same admin client.
     *
     * @throws FerryException when they cannot be listed within {@link #TIMEOUT} (the cause says why), or after
     *     {@link #close()}
     */
    public Map<TopicPartition, StuckTransactions.Ends> stableAndHighOffsets(Set<String> topics) {
        Admin lookups = admin();
        try {
            Map<TopicPartition, OffsetSpec> query = new HashMap<>();
            for (Map.Entry<String, KafkaFuture<TopicDescription>> topic
                    : lookups.describeTopics(topics).topicNameValues().entrySet()) {
                TopicDescription description;
                try {
                    description = topic.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        continue; // not made yet: nothing to hold
                    }
                    throw e;
                }
                description.partitions().forEach(p -> query.put(
                        new TopicPartition(topic.getKey(), p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, ListOffsetsResultInfo> stable = lookups.listOffsets(query,
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, ListOffsetsResultInfo> high = lookups.listOffsets(query,
                    new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, StuckTransactions.Ends> ends = new HashMap<>();
            stable.forEach((p, info) -> ends.put(p, new StuckTransactions.Ends(info.offset(), high.get(p).offset())));
            return ends;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted while listing the offsets of " + topics, e);
        } catch (ExecutionException e) {
            throw new FerryException("Cannot list the offsets of " + topics + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new FerryException("Listing the offsets of " + topics + " took over " + TIMEOUT.toMillis() + " ms",
                    e);
        }
    }

    private synchronized Admin admin() {
        if (closed) {
            throw new FerryException("The end-offset lookups " + clientId + " are closed");
        }
        if (admin == null) {
            admin = new KafkaClients(config).admin(clientId);
        }
        return admin;
    }

    /** Closes the admin client, if one was made; a lookup after this fails. Idempotent. */
    @Override
    public void close() {
        Admin toClose;
        synchronized (this) {
            closed = true;
            toClose = admin;
            admin = null;
        }
        if (toClose != null) {
            toClose.close(Duration.ofSeconds(5));
        }
    }
}

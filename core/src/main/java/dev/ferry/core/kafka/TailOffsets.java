package dev.ferry.core.kafka;

import dev.ferry.core.FerryException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The end offsets a {@link TopicTail} waits for in a {@link TopicTail#readToEnd()}, looked up on an admin client
 * of their own, shared by every tail of the process that connects the same way and closed with the last of them
 * (issue 16, idle cost).
 *
 * <p>Why not the tail's consumer: an idle tail's fetch is held by the broker for up to
 * {@link GroupPolls#IDLE_FETCH_WAIT}, and a broker answers one request per connection at a time, so a lookup on the
 * tail's own connection would queue behind that fetch. The ends are {@code read_committed} ones (the last stable
 * offset), as the tail's consumer would have listed them. With the lookups on the consumer and a 5 s hold, a tail of
 * an empty topic took 5 s to say it had caught up, and every service's readiness with it.
 */
final class TailOffsets implements AutoCloseable {

    /** One admin client per set of connection properties, with the number of tails holding it. */
    private static final Map<Map<String, Object>, Shared> SHARED = new HashMap<>();

    private static final class Shared {
        private final Admin admin;
        private int holders;

        private Shared(Admin admin) {
            this.admin = admin;
        }
    }

    private final Map<String, Object> key;
    private final Duration timeout;
    private Shared shared;

    private TailOffsets(Map<String, Object> key, Shared shared, Duration timeout) {
        this.key = key;
        this.shared = shared;
        this.timeout = timeout;
    }

    /**
     * Takes a hold on the process's admin client for {@code clients}' connection settings, creating it if no tail
     * holds one; give it back with {@link #close()}.
     *
     * @param timeout how long one lookup may take before it fails
     */
    static TailOffsets acquire(KafkaClients clients, Duration timeout) {
        Map<String, Object> key = clients.config().kafkaClientProperties();
        synchronized (SHARED) {
            Shared shared = SHARED.get(key);
            if (shared == null) {
                Map<String, Object> props = new HashMap<>(key);
                props.put(AdminClientConfig.CLIENT_ID_CONFIG, "ferry-tail-offsets");
                shared = new Shared(Admin.create(props));
                SHARED.put(key, shared);
            }
            shared.holders++;
            return new TailOffsets(key, shared, timeout);
        }
    }

    /**
     * The {@code read_committed} end offset of each of {@code partitions}.
     *
     * @throws FerryException when they cannot be listed within the timeout (the cause says why)
     * @throws IllegalStateException after {@link #close()}
     */
    Map<TopicPartition, Long> endOffsets(Set<TopicPartition> partitions) {
        Admin admin;
        synchronized (SHARED) {
            if (shared == null) {
                throw new IllegalStateException("Closed");
            }
            admin = shared.admin;
        }
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, OffsetSpec.latest()));
        try {
            Map<TopicPartition, ListOffsetsResultInfo> listed = admin.listOffsets(query,
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
                    + timeout.toMillis() + " ms", e);
        }
    }

    /** Gives the hold back; the admin client closes when no tail holds it. Idempotent. */
    @Override
    public void close() {
        Admin toClose = null;
        synchronized (SHARED) {
            if (shared == null) {
                return;
            }
            if (--shared.holders == 0) {
                SHARED.remove(key, shared);
                toClose = shared.admin;
            }
            shared = null;
        }
        if (toClose != null) {
            toClose.close(Duration.ofSeconds(5));
        }
    }
}

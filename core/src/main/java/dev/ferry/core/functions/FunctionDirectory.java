package dev.ferry.core.functions;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.kafka.CompactedTable;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.FunctionSpec;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A live, local copy of every deployed function, read from the compacted {@code ferry.functions} topic from its
 * beginning and kept current (a {@link CompactedTable}), so a deploy takes effect in every service without a
 * restart.
 *
 * <p>It reads without a consumer group (every instance needs the whole topic, and has nothing to commit). A
 * record that cannot be decoded is logged, counted and skipped: one bad spec must not hide every other
 * function. When the tail fails it restarts by itself; meanwhile {@link #readiness()} says so.
 * Listeners are called on the reader thread, in topic order per key; a new listener first gets the current
 * functions replayed.
 */
public final class FunctionDirectory implements AutoCloseable {

    /** Told of every change; called on the directory's reader thread, so keep it quick. */
    public interface Listener {
        void deployed(FunctionSpec spec);

        void removed(FunctionRef ref);
    }

    /** One comparator object, so the table answers {@link #all()} from its snapshot until it changes. */
    private static final Comparator<FunctionSpec> BY_TENANT_AND_NAME =
            Comparator.comparing(FunctionSpec::getTenant).thenComparing(FunctionSpec::getName);

    private final CompactedTable<FunctionRef, FunctionSpec> table;
    private final Map<Listener, CompactedTable.Listener<FunctionRef, FunctionSpec>> adapters =
            new ConcurrentHashMap<>();

    public FunctionDirectory(KafkaClients clients, TopicCatalog topics, Deserializer<FunctionSpec> deserializer) {
        this.table = new CompactedTable<>(clients, topics.platformTopic(topics.functions()), FunctionRef::parseKey,
                deserializer, "ferry-function-directory");
    }

    /** Starts reading; creates {@code ferry.functions} if it does not exist yet. */
    public FunctionDirectory start() {
        table.start();
        return this;
    }

    /**
     * Waits until every record present in {@code ferry.functions} now has been read; true if it was in time.
     * Every deploy acknowledged before this call is then visible.
     */
    public boolean awaitCaughtUp(Duration timeout) {
        return table.awaitCaughtUp(timeout);
    }

    /** The tail that keeps this directory current: its state is the directory's health. */
    public TopicTail tail() {
        return table.tail();
    }

    /** Ready once the directory has read {@code ferry.functions} to its end and follows it live. */
    public ReadinessCheck readiness() {
        return table.readiness();
    }

    public Optional<FunctionSpec> get(FunctionRef ref) {
        return table.get(ref);
    }

    /** Every deployed function, ordered by tenant and name; unmodifiable, the same list until the next change. */
    public List<FunctionSpec> all() {
        return table.all(BY_TENANT_AND_NAME);
    }

    public void addListener(Listener listener) {
        CompactedTable.Listener<FunctionRef, FunctionSpec> adapter = new CompactedTable.Listener<>() {
            @Override
            public void upserted(FunctionRef key, FunctionSpec value) {
                listener.deployed(value);
            }

            @Override
            public void removed(FunctionRef key) {
                listener.removed(key);
            }
        };
        adapters.put(listener, adapter);
        table.addListener(adapter);
    }

    public void removeListener(Listener listener) {
        CompactedTable.Listener<FunctionRef, FunctionSpec> adapter = adapters.remove(listener);
        if (adapter != null) {
            table.removeListener(adapter);
        }
    }

    @Override
    public void close() {
        table.close();
    }
}

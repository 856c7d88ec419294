package dev.ferry.core.triggers;

import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.kafka.CompactedTable;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.TriggerSpec;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A live, local copy of every trigger, read from the compacted {@code ferry.triggers} topic (a
 * {@link CompactedTable}): a create, update, pause or delete takes effect in every process that follows it.
 * Listeners are called on the reader thread, in topic order per key; a new listener first gets the current
 * triggers replayed.
 */
public final class TriggerDirectory implements AutoCloseable {

    /** Told of every change; called on the directory's reader thread, so keep it quick. */
    public interface Listener extends CompactedTable.Listener<TriggerRef, TriggerSpec> {
    }

    /** One comparator object, so the table answers {@link #all()} from its snapshot until it changes. */
    private static final Comparator<TriggerSpec> BY_TENANT_AND_NAME =
            Comparator.comparing(TriggerSpec::getTenant).thenComparing(TriggerSpec::getName);

    private final CompactedTable<TriggerRef, TriggerSpec> table;

    public TriggerDirectory(KafkaClients clients, TopicCatalog topics, Deserializer<TriggerSpec> deserializer) {
        this.table = new CompactedTable<>(clients, topics.platformTopic(topics.triggers()), TriggerRef::parseKey,
                deserializer, "ferry-trigger-directory");
    }

    /** Starts reading; creates {@code ferry.triggers} if it does not exist yet. */
    public TriggerDirectory start() {
        table.start();
        return this;
    }

    /** Waits until every trigger change acknowledged before this call is visible; true if it was in time. */
    public boolean awaitCaughtUp(Duration timeout) {
        return table.awaitCaughtUp(timeout);
    }

    public ReadinessCheck readiness() {
        return table.readiness();
    }

    public Optional<TriggerSpec> get(TriggerRef ref) {
        return table.get(ref);
    }

    /** Every trigger, ordered by tenant and name; unmodifiable, the same list until the next change. */
    public List<TriggerSpec> all() {
        return table.all(BY_TENANT_AND_NAME);
    }

    public void addListener(Listener listener) {
        table.addListener(listener);
    }

    public void removeListener(Listener listener) {
        table.removeListener(listener);
    }

    @Override
    public void close() {
        table.close();
    }
}

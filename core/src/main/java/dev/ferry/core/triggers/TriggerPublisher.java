package dev.ferry.core.triggers;

import dev.ferry.core.kafka.CompactedPublisher;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.TriggerSpec;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes triggers to {@code ferry.triggers}: a spec keyed {@code tenant/name} creates or updates, a tombstone
 * deletes. Each call returns once the broker acknowledged the change.
 *
 * @throws dev.ferry.core.FerryException from {@link #put} and {@link #remove} when the write fails or times out
 */
public final class TriggerPublisher implements AutoCloseable {

    private final CompactedPublisher<TriggerSpec> publisher;

    public TriggerPublisher(KafkaClients clients, TopicCatalog topics, Serializer<TriggerSpec> serializer) {
        this.publisher = new CompactedPublisher<>(clients, topics.triggers(), serializer, "ferry-trigger-publisher");
    }

    public void put(TriggerSpec spec) {
        publisher.put(TriggerSpecs.ref(spec).key(), spec);
    }

    public void remove(TriggerRef ref) {
        publisher.remove(ref.key());
    }

    @Override
    public void close() {
        publisher.close();
    }
}

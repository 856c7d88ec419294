package dev.ferry.core.functions;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.kafka.CompactedPublisher;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.FunctionSpec;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes deployments to {@code ferry.functions}: a spec keyed {@code tenant/name} deploys or updates, a tombstone
 * removes. Each call waits for the broker's acknowledgement, so a caller that got an answer knows the change is
 * durable and will reach every {@link FunctionDirectory}.
 *
 * @throws dev.ferry.core.FerryException from {@link #deploy} and {@link #remove} when the write fails or times out
 */
public final class FunctionPublisher implements AutoCloseable {

    private final CompactedPublisher<FunctionSpec> publisher;

    public FunctionPublisher(KafkaClients clients, TopicCatalog topics, Serializer<FunctionSpec> serializer) {
        this.publisher = new CompactedPublisher<>(clients, topics.functions(), serializer,
                "ferry-function-publisher");
    }

    public void deploy(FunctionSpec spec) {
        publisher.put(FunctionSpecs.ref(spec).key(), spec);
    }

    public void remove(FunctionRef ref) {
        publisher.remove(ref.key());
    }

    @Override
    public void close() {
        publisher.close();
    }
}

package dev.ferry.core.functions;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.kafka.CompactedPublisher;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.FunctionSpec;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes deployments to {@code ferry.functions}: a spec keyed {@code tenant/name} deploys or updates, a tombstone
 * removes. A deploy first makes the function's work topic and group settings ({@link WorkProvisioner}, issue 16), so
 * its first call waits for none of that; then it writes the spec. Each call waits for the broker's acknowledgement,
 * so a caller that got an answer knows the change is durable, its work topic exists, and the change will reach
 * every {@link FunctionDirectory}.
 *
 * @throws dev.ferry.core.FerryException from {@link #deploy} and {@link #remove} when the write or the provisioning
 *     fails or times out (nothing is written when the provisioning fails)
 */
public final class FunctionPublisher implements AutoCloseable {

    private final CompactedPublisher<FunctionSpec> publisher;
    private final KafkaClients clients;
    private final TopicCatalog topics;
    private Admin admin;

    public FunctionPublisher(KafkaClients clients, TopicCatalog topics, Serializer<FunctionSpec> serializer) {
        this.publisher = new CompactedPublisher<>(clients, topics.functions(), serializer,
                "ferry-function-publisher");
        this.clients = clients;
        this.topics = topics;
    }

    /**
     * Provisions the function's work topic (and share group) and then writes the spec. A spec with fewer than one
     * partition is written unprovisioned: the dispatcher answers its calls {@code function_unavailable}.
     */
    public void deploy(FunctionSpec spec) {
        if (spec.getPartitions() >= 1) {
            new WorkProvisioner(admin(), topics).provision(spec);
        }
        publisher.put(FunctionSpecs.ref(spec).key(), spec);
    }

    /** {@link WorkProvisioner#leftoverEnds}: where a function created now starts on a work topic that outlived another. */
    public List<Long> leftoverEnds(FunctionRef ref) {
        return new WorkProvisioner(admin(), topics).leftoverEnds(ref);
    }

    public void remove(FunctionRef ref) {
        publisher.remove(ref.key());
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = clients.admin("ferry-function-publisher-admin");
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        publisher.close();
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }
}

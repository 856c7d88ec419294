package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionPublisher;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One autoscaler IT's own corner of the shared broker ({@link TestConfigs#isolated}: a topic prefix of its own), with
 * what those tests build on it: stand-in pools, an autoscaler, a deploy, plain work records.
 */
record TestCluster(FerryConfig config, KafkaClients clients, TopicCatalog topics) {

    static TestCluster isolated(KafkaFixture kafka, Map<String, Object> overrides) {
        FerryConfig config = TestConfigs.isolated(kafka, overrides);
        return new TestCluster(config, new KafkaClients(config), new TopicCatalog(config));
    }

    /** A QUEUE function of tenant {@code acme} run by the built-in JAVA {@code handler}, to finish building. */
    static FunctionSpec.Builder queue(String name, String handler) {
        return FunctionSpecs.builder("acme", name, Runtime.JAVA, handler).setDelivery(Delivery.QUEUE);
    }

    /** Stand-in pools whose replicas spend {@code workMs} on each record. */
    FakePools pools(long workMs) {
        return new FakePools(clients, topics, workMs);
    }

    /** A started autoscaler that resizes {@code pools}, on the system clock. */
    AutoscalerService autoscaler(FakePools pools) {
        return autoscaler(new InProcessActuator(pools), Clock.systemUTC());
    }

    /** A started autoscaler; {@code actuator} null publishes its decisions only. */
    AutoscalerService autoscaler(Actuator actuator, Clock clock) {
        return new AutoscalerService(config, actuator, clock).start();
    }

    FunctionPublisher publisher() {
        return new FunctionPublisher(clients, topics, new AvroSerdes(config).serializer(FunctionSpec.class));
    }

    /** Ferry's topics, the function's work topic and share-group start, then the spec on ferry.functions. */
    void deploy(FunctionSpec spec) {
        FunctionRef ref = FunctionSpecs.ref(spec);
        try (Admin admin = clients.admin("autoscaler-it");
                FunctionPublisher publisher = publisher()) {
            TopicProvisioner provisioner = new TopicProvisioner(admin);
            provisioner.ensure(topics.platformTopics());
            provisioner.ensure(topics.workTopic(ref, spec.getPartitions()));
            provisioner.startShareGroupAtEarliest(topics.workerGroup(ref));
            publisher.deploy(spec);
        }
    }

    /** {@code records} work records of 30 ms each for the {@code sleep} function, written plainly (no transaction). */
    int produce(String topic, int records) {
        try (KafkaProducer<String, String> producer = clients.producer("autoscaler-it", new StringSerializer(),
                new StringSerializer(), Map.of())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "{\"ms\":30}"));
            }
            producer.flush();
        }
        return records;
    }
}

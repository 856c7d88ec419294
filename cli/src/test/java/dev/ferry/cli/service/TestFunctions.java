package dev.ferry.cli.service;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionPublisher;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.FunctionSpec;
import org.apache.kafka.clients.admin.Admin;

/** Deploys functions the way the gateway does, for tests that run the services without one. */
final class TestFunctions {

    private TestFunctions() {
    }

    /**
     * Creates Ferry's platform topics and deploys {@code specs}: each gets its work topic and share-group settings
     * at deploy (issue 16), then its spec on the functions topic.
     */
    static void deploy(FerryConfig config, FunctionSpec... specs) {
        KafkaClients clients = new KafkaClients(config);
        TopicCatalog topics = new TopicCatalog(config);
        try (Admin admin = clients.admin("test-deploy");
                FunctionPublisher publisher = new FunctionPublisher(clients, topics,
                        new AvroSerdes(config).serializer(FunctionSpec.class))) {
            new TopicProvisioner(admin).ensure(topics.platformTopics());
            for (FunctionSpec spec : specs) {
                publisher.deploy(spec);
            }
        }
    }
}

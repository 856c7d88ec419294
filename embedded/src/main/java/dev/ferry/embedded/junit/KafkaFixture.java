package dev.ferry.embedded.junit;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The broker and schema registry a test runs against, shared by every test class of the JVM.
 *
 * <p>Because the cluster is shared and never emptied, each test should use its own topic and group names
 * (suffix a UUID) and not assume what else exists.
 */
public interface KafkaFixture {

    /** The {@code bootstrap.servers} value for clients. */
    String bootstrapServers();

    /** The base URL of the schema registry, e.g. {@code http://localhost:38121}. */
    String schemaRegistryUrl();

    /** An admin client for the cluster, shared by all tests: do not close it. */
    Admin admin();

    /**
     * Creates a topic with the cluster's replication factor and waits until every partition has a leader, so a
     * producer can write to it at once. A topic that already exists is left as it is.
     */
    void createTopic(String name, int partitions);

    /** Client properties to start from: {@code bootstrap.servers}, nothing else. A new, mutable map each call. */
    Map<String, Object> clientProperties();
}

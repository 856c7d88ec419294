package dev.ferry.embedded.junit;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.LoggerFactory;

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

    /**
     * Gives the KIP-848 consumer groups {@code groupIds} the shortest session the broker allows (group config
     * {@code consumer.session.timeout.ms} = the broker's {@code group.consumer.min.session.timeout.ms}: 3 s, six
     * heartbeats, on the test broker, whose default session is 10 s), for a test that kills a member with SIGKILL
     * and waits for its partitions to move to a new one: the wait is the session, nothing the test proves. Set
     * before the members join. Where the cluster does not say its minimum or refuses, the groups keep its default
     * (logged).
     */
    default void shortestSessions(Collection<String> groupIds) {
        try {
            Node node = admin().describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next();
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, node.idString());
            Config config = admin().describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker);
            ConfigEntry min = config.get("group.consumer.min.session.timeout.ms");
            if (min == null || min.value() == null) {
                LoggerFactory.getLogger(KafkaFixture.class).warn("The cluster does not say its shortest session: "
                        + "groups {} keep its default", groupIds);
                return;
            }
            AlterConfigOp op = new AlterConfigOp(new ConfigEntry("consumer.session.timeout.ms", min.value()),
                    AlterConfigOp.OpType.SET);
            Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
            groupIds.forEach(g -> ops.put(new ConfigResource(ConfigResource.Type.GROUP, g), List.of(op)));
            admin().incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LoggerFactory.getLogger(KafkaFixture.class).warn("Groups {} keep the cluster's default session: {}",
                    groupIds, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The ways to start a cluster other than the shared ephemeral one: persistent, fixed port, three brokers. */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaModesIT {

    @Test
    void shouldKeepTopicsAndRecordsWhenRestartedOnTheSameDataDir(@TempDir Path dir) throws Exception {
        int port = KafkaClients.freePort();
        EmbeddedKafka.Options options = EmbeddedKafka.Options.defaults().dataDir(dir).port(port);
        String clusterId;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(options)) {
            assertThat(kafka.bootstrapServers()).isEqualTo("localhost:" + port);
            KafkaClients.createTopic(kafka.bootstrapServers(), "kept", 2, 1);
            KafkaClients.produce(kafka.bootstrapServers(), "kept", List.of("a", "b", "c"));
            clusterId = clusterId(kafka.bootstrapServers());
        }

        try (EmbeddedKafka again = EmbeddedKafka.start(options)) {
            assertThat(clusterId(again.bootstrapServers())).isEqualTo(clusterId);
            assertThat(KafkaClients.consume(again.bootstrapServers(), "kept", 3)).containsExactlyInAnyOrder(
                    "a", "b", "c");
        }
        assertThat(dir.resolve("kafka")).isDirectory();
    }

    @Test
    void shouldListenOnTheChosenPortAndCleanUpWhenStartedWithoutDataDir() throws Exception {
        int port = KafkaClients.freePort();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = ferryDirs(tmp);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().port(port))) {
            assertThat(kafka.bootstrapServers()).isEqualTo("localhost:" + port);
            KafkaClients.createTopic(kafka.bootstrapServers(), "fixed", 1, 1);
            KafkaClients.produce(kafka.bootstrapServers(), "fixed", List.of("x"));
            assertThat(KafkaClients.consume(kafka.bootstrapServers(), "fixed", 1)).containsExactly("x");
        }
        assertThat(ferryDirs(tmp)).as("the temporary data dir is deleted on close").isEqualTo(before);
    }

    /**
     * Also: the brokers' directories are under a {@code ferry-kafka-} directory of Ferry's, deleted on close, not
     * under the test kit's own temp dir, whose JVM shutdown hook deleted them under running brokers on every Ctrl-C
     * of {@code ferry dev --brokers 3} (some 80 ERROR lines of "Disk error when trying to access log file").
     */
    @Test
    void shouldReplicateAcrossThreeBrokersWhenStartedWithThree() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = ferryDirs(tmp);
        List<Path> clusterDirs;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().brokers(3))) {
            clusterDirs = ferryDirs(tmp).stream().filter(d -> !before.contains(d))
                    .filter(d -> Files.isDirectory(d.resolve("node-1"))).toList();
            assertThat(clusterDirs).as("the brokers' directory, Ferry's own").hasSize(1);
            assertThat(kafka.brokerCount()).isEqualTo(3);
            // A tester read the cluster's metadata through the host's own address: Kafka's test kit, which ran
            // these clusters, binds every listener on all interfaces. Each listener answers on loopback only.
            List<String> listeners = new java.util.ArrayList<>(List.of(kafka.bootstrapServers().split(",")));
            listeners.addAll(List.of(kafka.bootstrapControllers().split(",")));
            assertThat(listeners).hasSize(4);
            InetAddress external = externalAddress();
            for (String listener : listeners) {
                int listenerPort = Integer.parseInt(listener.substring(listener.lastIndexOf(':') + 1));
                try (java.net.Socket local = new java.net.Socket(InetAddress.getLoopbackAddress(), listenerPort)) {
                    assertThat(local.isConnected()).as(listener).isTrue();
                }
                if (external != null) {
                    assertThatThrownBy(() -> new java.net.Socket(external, listenerPort).close())
                            .as(listener + " on " + external).isInstanceOf(java.net.ConnectException.class);
                }
            }
            try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
                KafkaClients.createTopic(kafka.bootstrapServers(), "replicated", 3, 3);
                // Each call may go to another broker, and one may learn of the new topic a moment after the rest.
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                    TopicDescription description = admin.describeTopics(List.of("replicated")).allTopicNames()
                            .get(30, TimeUnit.SECONDS).get("replicated");
                    assertThat(description.partitions()).hasSize(3)
                            .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
                });
            }
            KafkaClients.produce(kafka.bootstrapServers(), "replicated", List.of("r1", "r2"));
            assertThat(KafkaClients.consume(kafka.bootstrapServers(), "replicated", 2))
                    .containsExactlyInAnyOrder("r1", "r2");
        }
        assertThat(clusterDirs.get(0)).as("deleted on close").doesNotExist();
    }

    /** An address of this host's that is not loopback, or null when it has none. */
    private static InetAddress externalAddress() throws java.net.SocketException {
        for (java.net.NetworkInterface nic : java.util.Collections.list(
                java.net.NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                if (!address.isLoopbackAddress() && !address.isLinkLocalAddress()
                        && address instanceof java.net.Inet4Address) {
                    return address;
                }
            }
        }
        return null;
    }

    @Test
    void shouldApplyABrokerPropertyOverrideWhenGiven() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults()
                .brokerProperty("auto.create.topics.enable", "true"))) {
            // With auto-creation back on, producing to an unknown topic creates it instead of failing.
            KafkaClients.produce(kafka.bootstrapServers(), "created-on-first-write", List.of("hello"));
            assertThat(KafkaClients.consume(kafka.bootstrapServers(), "created-on-first-write", 1))
                    .containsExactly("hello");
        }
    }

    @Test
    void shouldFailWithTheCauseWhenThePortIsTaken(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            EmbeddedKafka.Options options = EmbeddedKafka.Options.defaults().dataDir(dir).port(taken.getLocalPort());

            assertThatThrownBy(() -> EmbeddedKafka.start(options)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()));
        }
        // The failed attempt leaves a directory the next start can use.
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().dataDir(dir))) {
            KafkaClients.createTopic(kafka.bootstrapServers(), "after-failure", 1, 1);
        }
    }

    private static String clusterId(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        }
    }

    private static List<Path> ferryDirs(Path tmp) throws Exception {
        try (var files = Files.list(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith("ferry-kafka-")).sorted().toList();
        }
    }
}

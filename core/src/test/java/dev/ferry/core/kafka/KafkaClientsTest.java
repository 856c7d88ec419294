package dev.ferry.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.config.FerryConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

    @Test
    void shouldCompressWhatOnlyFerryReadsWithTheInternalCodecByDefault() {
        Map<String, Object> props = new KafkaClients(FerryConfig.defaults()).producerProperties("p", Map.of());
        assertThat(props).containsEntry("compression.type", "lz4");
    }

    @Test
    void shouldCompressWhatUsersReadWithGzipAtLevelOneByDefault() {
        // issue 12: kafkajs decodes only gzip (and none) without a plugin.
        Map<String, Object> props = new KafkaClients(FerryConfig.defaults()).userTopicProducerProperties("p", Map.of());
        assertThat(props).containsEntry("compression.type", "gzip").containsEntry("compression.gzip.level", 1);
    }

    @Test
    void shouldTakeBothCodecsFromTheConfiguration() {
        FerryConfig config = FerryConfig.defaults().with("topic.user.compression.type", "none")
                .with("topic.internal.compression.type", "zstd");
        KafkaClients clients = new KafkaClients(config);
        assertThat(clients.userTopicProducerProperties("p", Map.of())).containsEntry("compression.type", "none")
                .doesNotContainKey("compression.gzip.level");
        assertThat(clients.producerProperties("p", Map.of())).containsEntry("compression.type", "zstd");
    }

    @Test
    void shouldLetTheOperatorsPassThroughCodecWinOverTheRoleDefault() {
        FerryConfig config = FerryConfig.defaults().with("kafka.compression.type", "snappy");
        assertThat(new KafkaClients(config).userTopicProducerProperties("p", Map.of()))
                .containsEntry("compression.type", "snappy");
    }

    @Test
    void shouldLetTheOperatorsPassThroughWinOverEveryRoleDefaultAndTheCallerWinOverBoth() {
        FerryConfig config = FerryConfig.defaults().with("kafka.linger.ms", 50).with("kafka.acks", "1")
                .with("kafka.max.poll.records", 7);
        KafkaClients clients = new KafkaClients(config);
        assertThat(clients.producerProperties("p", Map.of())).containsEntry("linger.ms", 50).containsEntry("acks", "1");
        assertThat(clients.consumerProperties("g", "c", Map.of())).containsEntry("max.poll.records", 7);
        assertThat(clients.producerProperties("p", Map.of("linger.ms", 0))).containsEntry("linger.ms", 0);
    }

    @Test
    void shouldCloseAnAdminWithoutWaitingForItsPendingCallsToTimeOut() throws Exception {
        // Tester: a service with nothing at its Kafka address said "Timed out after 30 s" after 69 s: its Admin's
        // close waited for the unanswered call to reach Kafka's own timeout (default.api.timeout.ms, 60 s).
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        FerryConfig config = FerryConfig.defaults().with(FerryConfig.BOOTSTRAP_SERVERS, "localhost:" + port);
        org.apache.kafka.clients.admin.Admin admin = new KafkaClients(config).admin("close-test");
        org.apache.kafka.common.KafkaFuture<?> pending = admin.describeCluster().nodes();
        long start = System.nanoTime();

        admin.close();

        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(10));
        // Failed by the Admin's thread as it ends, a moment after close returned.
        assertThat((java.util.concurrent.Future<?>) pending).as("the pending call fails")
                .failsWithin(java.time.Duration.ofSeconds(10));
    }
}

package dev.ferry.embedded.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.embedded.EmbeddedKafka;
import dev.ferry.embedded.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The system properties that point the test fixture at a cluster and registry that already run. */
@Tag("integration")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SharedKafkaIT {

    @Test
    void shouldUseTheGivenClusterAndRegistryAndLeaveThemRunningWhenClosed() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0)) {
            Properties props = new Properties();
            props.setProperty(SharedKafka.BOOTSTRAP_PROPERTY, kafka.bootstrapServers());
            props.setProperty(SharedKafka.REGISTRY_PROPERTY, registry.url());

            try (SharedKafka shared = SharedKafka.start(props)) {
                assertThat(shared.bootstrapServers()).isEqualTo(kafka.bootstrapServers());
                assertThat(shared.schemaRegistryUrl()).isEqualTo(registry.url());
                shared.createTopic("external-" + UUID.randomUUID(), 1);
            }

            assertThat(status(registry.url() + "/subjects")).as("the registry still serves").isEqualTo(200);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).as("the cluster still runs")
                        .hasSize(1);
            }
        }
    }

    @Test
    void shouldRunOnKafkaInDockerWhereDockerAnswersAndStepAsideWhereItDoesNot() throws Exception {
        Properties props = new Properties();
        props.setProperty(SharedKafka.KAFKA_KIND_PROPERTY, "testcontainers");
        boolean docker = ContainerKafka.dockerAvailable();
        try (SharedKafka shared = SharedKafka.start(props, Map.of())) {
            String topic = "switch-" + UUID.randomUUID();
            shared.createTopic(topic, 2);
            assertThat(shared.admin().describeTopics(java.util.List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic).partitions()).hasSize(2);
            assertThat(status(shared.schemaRegistryUrl() + "/subjects")).isEqualTo(200);
            // The embedded broker listens on this machine's loopback; Testcontainers maps the container's port.
            assertThat(shared.brokerDescription()).startsWith(docker ? "docker" : "embedded");
        }
    }

    @Test
    void shouldReadTheSwitchFromThePropertyBeforeTheEnvironment() {
        Properties props = new Properties();
        assertThat(SharedKafka.wantsContainer(props, Map.of())).isFalse();
        assertThat(SharedKafka.wantsContainer(props, Map.of("FERRY_TEST_KAFKA", "testcontainers"))).isTrue();
        props.setProperty(SharedKafka.KAFKA_KIND_PROPERTY, "embedded");
        assertThat(SharedKafka.wantsContainer(props, Map.of("FERRY_TEST_KAFKA", "testcontainers"))).isFalse();
        assertThat(ContainerKafka.environmentName("group.share.record.lock.duration.ms"))
                .isEqualTo("KAFKA_GROUP_SHARE_RECORD_LOCK_DURATION_MS");
        assertThat(ContainerKafka.environmentName("a_b-c.d")).isEqualTo("KAFKA_A__B___C_D");
    }

    @Test
    void shouldStartItsOwnRegistryOnTheGivenClusterWhenNoRegistryIsGiven() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Properties props = new Properties();
            props.setProperty(SharedKafka.BOOTSTRAP_PROPERTY, kafka.bootstrapServers());
            String url;
            try (SharedKafka shared = SharedKafka.start(props)) {
                url = shared.schemaRegistryUrl();
                assertThat(status(url + "/subjects")).isEqualTo(200);
            }
            assertThatThrownBy(() -> status(url + "/subjects")).as("its own registry stops with it")
                    .isInstanceOf(IOException.class);
        }
    }

    private static int status(String url) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}

package dev.ferry.embedded.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fixture reaches every place a test can take parameters, and always names the same shared cluster. */
@FerryKafkaTest
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedKafkaExtensionIT {

    private static String fromBeforeAll;
    private final String fromConstructor;
    private String fromBeforeEach;

    EmbeddedKafkaExtensionIT(KafkaFixture kafka) {
        fromConstructor = kafka.bootstrapServers();
    }

    @BeforeAll
    static void beforeAll(KafkaFixture kafka) {
        fromBeforeAll = kafka.bootstrapServers();
    }

    @BeforeEach
    void beforeEach(KafkaFixture kafka) {
        fromBeforeEach = kafka.bootstrapServers();
    }

    @Test
    void shouldHandEveryCallerTheSameClusterWhenParametersAreResolved(KafkaFixture kafka) {
        assertThat(List.of(fromBeforeAll, fromConstructor, fromBeforeEach)).containsOnly(kafka.bootstrapServers());
        assertThat(kafka.schemaRegistryUrl()).startsWith("http://localhost:");
    }

    @Test
    void shouldGiveAFreshMapWithOnlyTheBootstrapWhenClientPropertiesAreAsked(KafkaFixture kafka) {
        Map<String, Object> first = kafka.clientProperties();
        first.put("client.id", "changed");

        assertThat(kafka.clientProperties()).containsExactly(Map.entry("bootstrap.servers", kafka.bootstrapServers()));
    }

    @Test
    void shouldLeaveAnExistingTopicAloneWhenCreatedTwice(KafkaFixture kafka) throws Exception {
        String topic = "twice-" + UUID.randomUUID();

        kafka.createTopic(topic, 4);
        kafka.createTopic(topic, 2);

        TopicDescription description = kafka.admin().describeTopics(List.of(topic)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(topic);
        assertThat(description.partitions()).hasSize(4).allSatisfy(p -> assertThat(p.leader()).isNotNull());
    }
}

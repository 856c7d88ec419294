package dev.ferry.embedded.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BrokerDefaultsTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void shouldUseOnlyKeysKafkaKnowsWhenDefaultsAreBuilt(int brokers) {
        // Kafka only logs unknown keys, so a misspelt default would silently do nothing.
        assertThat(KafkaConfig.configDef().names()).containsAll(BrokerDefaults.forBrokers(brokers).keySet());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void shouldPassKafkaValidationWhenDefaultsAreBuilt(int brokers) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@localhost:9093");
        props.put("listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("log.dirs", "/tmp/unused");
        props.putAll(BrokerDefaults.forBrokers(brokers));

        assertThatCode(() -> KafkaConfig.fromProps(props, false)).doesNotThrowAnyException();
    }

    @Test
    void shouldFitReplicationToTheClusterWhenItHasOneOrThreeBrokers() {
        Map<String, String> one = BrokerDefaults.forBrokers(1);
        Map<String, String> three = BrokerDefaults.forBrokers(3);

        assertThat(one).containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("share.coordinator.state.topic.replication.factor", "1")
                .containsEntry("share.coordinator.state.topic.min.isr", "1")
                .containsEntry("group.initial.rebalance.delay.ms", "0");
        assertThat(three).containsEntry("offsets.topic.replication.factor", "3")
                .containsEntry("transaction.state.log.min.isr", "2");
        assertThat(BrokerDefaults.forBrokers(5)).containsEntry("offsets.topic.replication.factor", "3");
    }

    @Test
    void shouldTurnOffTopicAutoCreationWhenDefaultsAreBuilt() {
        assertThat(BrokerDefaults.forBrokers(1)).containsEntry("auto.create.topics.enable", "false");
    }
}

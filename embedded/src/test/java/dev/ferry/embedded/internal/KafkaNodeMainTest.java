package dev.ferry.embedded.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaNodeMainTest {

    private static Map<String, String> args(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : pairs) {
            map.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        return map;
    }

    @Test
    void shouldConfigureABrokerOnItsPortWithTheClustersControllerAndReplicationWhenGivenThreeBrokers() {
        Properties config = KafkaNodeMain.config(args("role=broker", "node.id=1", "port=9093",
                "controller=100@localhost:9999", "cluster.id=abc", "data.dir=/tmp/x", "brokers=3",
                "group.share.record.lock.duration.ms=5000"));

        assertThat(config).containsEntry("process.roles", "broker").containsEntry("node.id", "1")
                .containsEntry("listeners", "PLAINTEXT://localhost:9093")
                .containsEntry("advertised.listeners", "PLAINTEXT://localhost:9093")
                .containsEntry("controller.quorum.voters", "100@localhost:9999")
                .containsEntry("offsets.topic.replication.factor", "3")
                .containsEntry("transaction.state.log.min.isr", "2")
                .containsEntry("group.share.record.lock.duration.ms", "5000")
                .doesNotContainKeys("role", "port", "brokers", "cluster.id", "data.dir", "controller");
    }

    @Test
    void shouldListenOnTheControllerAddressOnlyWhenTheRoleIsController() {
        Properties config = KafkaNodeMain.config(args("role=controller", "node.id=100",
                "controller=100@localhost:9999", "cluster.id=abc", "data.dir=/tmp/x", "brokers=3"));

        assertThat(config).containsEntry("process.roles", "controller")
                .containsEntry("listeners", "CONTROLLER://localhost:9999").doesNotContainKey("advertised.listeners");
    }

    @Test
    void shouldRefuseABrokerWithoutAPortOrAnUnknownRole() {
        assertThatThrownBy(() -> KafkaNodeMain.config(args("role=broker", "node.id=1",
                "controller=100@localhost:9999", "cluster.id=abc", "data.dir=/tmp/x")))
                .hasMessageContaining("port is required");
        assertThatThrownBy(() -> KafkaNodeMain.config(args("role=combined", "node.id=1", "port=1",
                "controller=100@localhost:9999", "cluster.id=abc", "data.dir=/tmp/x")))
                .hasMessageContaining("role is controller or broker");
    }
}

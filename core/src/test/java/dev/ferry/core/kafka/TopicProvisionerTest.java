package dev.ferry.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.FerryException;
import dev.ferry.core.topics.TopicSpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.common.TopicCollection;
import org.junit.jupiter.api.Test;

/** Provisioning against a cluster that does not answer, without a broker: nothing listens at the address. */
class TopicProvisionerTest {

    @Test
    void shouldFailAfterOneUnansweredCallNotTwo() throws IOException {
        // Tester: a service started with nothing at its address said it timed out after 30 s, 66 s after it began:
        // the quick check's describe waited 30 s, took the timeout for a doubt, and the full pass waited 30 s more.
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        CallsAdmin admin = new CallsAdmin(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + port));
        try {
            assertThatThrownBy(() -> new TopicProvisioner(admin, Duration.ofMillis(300))
                    .ensure(new TopicSpec("t", 1, (short) 1, Map.of())))
                    .isInstanceOf(FerryException.class).hasMessageContaining("Timed out after 0.3 s");
            assertThat(admin.calls).as("calls made before failing").containsExactly("describeTopics");
        } finally {
            admin.close(Duration.ZERO);
        }
    }

    /** A real Admin client that records which calls were made. */
    private static final class CallsAdmin extends ForwardingAdmin {
        final List<String> calls = new ArrayList<>();

        CallsAdmin(Map<String, Object> configs) {
            super(configs);
        }

        @Override
        public DescribeTopicsResult describeTopics(TopicCollection topics, DescribeTopicsOptions options) {
            calls.add("describeTopics");
            return super.describeTopics(topics, options);
        }

        @Override
        public DescribeClusterResult describeCluster(DescribeClusterOptions options) {
            calls.add("describeCluster");
            return super.describeCluster(options);
        }
    }
}

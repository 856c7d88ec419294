package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.topics.TopicCatalog;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/**
 * What the partition budget's count of leftover work topics does when the cluster does not answer: it says so
 * (the deploy answers 503) rather than counting nothing, which would let a tenant's growth through exactly when the
 * brokers are strained. The counting itself runs against a real broker in {@code PartitionBudgetIT}.
 */
class LeftoverWorkTopicsTest {

    @Test
    void shouldSayTheClusterDoesNotAnswerRatherThanCountNothing() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + closed,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 100));
        try {
            LeftoverWorkTopics leftovers = new LeftoverWorkTopics(admin, new TopicCatalog(new FerryConfig(Map.of())),
                    Duration.ofMillis(300));
            assertThatThrownBy(() -> leftovers.partitions(ref -> false)).isInstanceOf(FerryException.class)
                    .hasMessageContaining("list the cluster's topics");
        } finally {
            admin.close(Duration.ZERO); // its listing is still pending: close() would wait for it
        }
    }
}

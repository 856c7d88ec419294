package dev.ferry.embedded.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Waits until a cluster answers clients with the expected number of brokers. */
final class ClusterReadiness {

    private ClusterReadiness() {
    }

    static void await(String bootstrapServers, int brokers, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()))) {
            Exception last = null;
            while (System.nanoTime() < deadline) {
                try {
                    int seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (seen >= brokers) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("Kafka at " + bootstrapServers + " was not ready with " + brokers
                    + " broker(s) within " + timeout, last);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Kafka at " + bootstrapServers, e);
        }
    }
}

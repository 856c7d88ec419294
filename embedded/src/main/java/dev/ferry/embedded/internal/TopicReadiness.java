package dev.ferry.embedded.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * Waits until a new topic can take writes. {@code createTopics} completes when the controller has recorded the
 * topic; the brokers learn of it and elect leaders a moment later.
 */
public final class TopicReadiness {

    private TopicReadiness() {
    }

    /** Returns once every partition of {@code topic} has a leader; fails after {@code timeout}. */
    public static void await(Admin admin, String topic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        try {
            while (System.nanoTime() < deadline) {
                try {
                    TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                            .get(5, TimeUnit.SECONDS).get(topic);
                    if (description != null && !description.partitions().isEmpty()
                            && description.partitions().stream().allMatch(p -> p.leader() != null
                                    && !p.leader().isEmpty())) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for topic " + topic, e);
        }
        throw new IllegalStateException("Topic " + topic + " had no leader for every partition within " + timeout,
                last);
    }
}

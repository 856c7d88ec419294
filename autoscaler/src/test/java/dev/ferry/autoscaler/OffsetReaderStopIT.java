package dev.ferry.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.autoscaler.internal.OffsetReader;
import dev.ferry.autoscaler.internal.RecordCounter;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeShareGroupsResult;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A reading the autoscaler's stop interrupts ends quietly. Before, a share group whose offsets were never asked (the
 * requests, sent one group at a time, stop at the interrupt) was read as a missing answer, a
 * {@code NullPointerException} that the collector logged as a warning at a quick stop of {@code ferry dev} (session 19).
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OffsetReaderStopIT {

    @Test
    void shouldEndQuietlyWhenTheStopInterruptsTheShareGroupRequests(KafkaFixture kafka) throws Exception {
        try (Admin real = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
             KafkaConsumer<byte[], byte[]> counting = new KafkaConsumer<>(
                     Map.of("bootstrap.servers", kafka.bootstrapServers()), new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            real.createTopics(List.of(new NewTopic("stop-a", 1, (short) 1), new NewTopic("stop-b", 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            // The share groups' requests go out in the order of a HashMap of their names; the group asked first is
            // answered before the interrupt lands, the other is never asked. Read the other's target first.
            String askedFirst = new HashMap<>(Map.of("stop-group-a", 0, "stop-group-b", 0)).keySet().iterator()
                    .next();
            String neverAsked = askedFirst.equals("stop-group-a") ? "stop-group-b" : "stop-group-a";
            Map<String, OffsetReader.Target> targets = new LinkedHashMap<>();
            targets.put(neverAsked, new OffsetReader.Target(topicOf(neverAsked), neverAsked, true));
            targets.put(askedFirst, new OffsetReader.Target(topicOf(askedFirst), askedFirst, true));
            OffsetReader reader = new OffsetReader(stoppingAtShareOffsets(real), Duration.ofSeconds(10),
                    Clock.systemUTC(), new RecordCounter(counting, 10_000, Duration.ofSeconds(10)));

            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread reading = new Thread(() -> {
                try {
                    reader.read(targets);
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                    failure.complete(null);
                } catch (Throwable t) {
                    failure.complete(t);
                }
            });
            reading.start();

            assertThat(failure.get(60, TimeUnit.SECONDS)).as("what the interrupted reading threw").isNull();
            assertThat(stillInterrupted).as("the stop's interrupt is kept for the loop that reads").isTrue();
        }
    }

    private static String topicOf(String group) {
        return group.equals("stop-group-a") ? "stop-a" : "stop-b";
    }

    /**
     * The broker's admin, except that offsets and group descriptions are answered before the call returns (so the
     * reading finds them done), and the calling thread is interrupted as it sends its first share-group offsets
     * request: the stop arriving mid-reading.
     */
    private static Admin stoppingAtShareOffsets(Admin real) {
        return (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[] {Admin.class},
                (proxy, method, args) -> {
                    Object answer;
                    try {
                        answer = method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (answer instanceof ListOffsetsResult offsets) {
                        waitQuietly(offsets.all().toCompletionStage().toCompletableFuture());
                    } else if (answer instanceof DescribeShareGroupsResult groups) {
                        waitQuietly(groups.all().toCompletionStage().toCompletableFuture());
                    } else if (method.getName().equals("listShareGroupOffsets")) {
                        Thread.currentThread().interrupt();
                    }
                    return answer;
                });
    }

    private static void waitQuietly(CompletableFuture<?> answer) {
        try {
            answer.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // A group that does not exist is an answer too.
        }
    }
}

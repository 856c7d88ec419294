package dev.ferry.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.DispatcherConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.registry.CompatibilityLevel;
import dev.ferry.schemas.registry.RegisteredSchema;
import dev.ferry.schemas.registry.RestSchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A tester's report (session 12): a dispatcher that lost its schema registry (a mistyped URL in a rolling update)
 * kept its partitions of {@code ferry.invocations}, retrying the same batch every 5 s for good, while it reported
 * healthy: every call hashed to its partitions stalled. Now it steps out of the group once its batches keep failing,
 * says why in its readiness, and comes back once the registry answers again, with nothing lost or doubled, also
 * when it is the only one left.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DispatcherRegistryLossIT {

    /**
     * Out after the second failed attempt, a second or more after the first. A retried batch's next poll may wait for
     * the fetch in flight before the rewind, up to the fetch wait: Kafka's 500 ms here, not the 5 s of an idle
     * dispatcher (GroupPolls.IDLE_FETCH_WAIT), which would only stretch each attempt and hand-over of this test.
     */
    private static final Map<String, Object> QUICK_STEP_OUT = Map.of(DispatcherConfig.STEP_OUT_FAILURES, 2,
            DispatcherConfig.STEP_OUT_WINDOW_MS, 1_000, "kafka.fetch.max.wait.ms", 500);

    @Test
    void shouldStepOutSoTheOtherDispatcherRoutesItsPartitionsWhenItsRegistryIsGoneAndRejoinWhenItIsBack(
            KafkaFixture kafka) throws Exception {
        try (Harness h = new Harness(kafka, QUICK_STEP_OUT)) {
            h.deploy(FunctionSpecs.builder("acme", "resize", Runtime.JAVA, "echo").setPartitions(2).build());
            Switchable registry = new Switchable(RestSchemaRegistryClient.fromConfig(h.config
                    .schemaRegistryProperties()));
            try (FerryRuntime badRuntime = FerryRuntime.create(h.config.with(DispatcherConfig.TRANSACTIONAL_ID,
                    h.config.dispatcher().transactionalId() + "-bad"), registry);
                    Dispatcher bad = new Dispatcher(badRuntime)) {
                bad.start();
                Dispatcher good = h.dispatcher().start();
                awaitMembersWithPartitions(h, 2);

                registry.up = false;
                List<InvocationRequest> calls = IntStream.range(0, 30)
                        .mapToObj(i -> Requests.keyed("key-" + i)).toList();
                h.invoke(calls.toArray(InvocationRequest[]::new));

                // Every call, on every partition, routed within a bound: the bad instance gave its partitions away.
                Set<String> routed = h.read(h.topics.work(new FunctionRef("acme", "resize")), calls.size(),
                        Duration.ofSeconds(30)).stream().map(r -> h.request(r).getInvocationId())
                        .collect(Collectors.toSet());
                assertThat(routed).containsExactlyInAnyOrderElementsOf(
                        calls.stream().map(InvocationRequest::getInvocationId).toList());
                assertThat(bad.readiness().problem()).hasValueSatisfying(problem -> assertThat(problem)
                        .contains("stepped out").contains("registry"));
                assertThat(good.readiness().problem()).isEmpty();

                // Alone now (the good one stops), and out: the next calls wait for it. Once the registry is back
                // it rejoins and routes them, and each call is routed exactly once.
                good.close();
                List<InvocationRequest> more = IntStream.range(0, 10)
                        .mapToObj(i -> Requests.keyed("more-" + i)).toList();
                h.invoke(more.toArray(InvocationRequest[]::new));
                registry.up = true;
                h.read(h.topics.work(new FunctionRef("acme", "resize")), calls.size() + more.size(),
                        Duration.ofSeconds(30));
                assertThat(bad.readiness().problem()).isEmpty();
                Map<String, Long> copies = h.readAll(h.topics.work(new FunctionRef("acme", "resize"))).stream()
                        .collect(Collectors.groupingBy(r -> h.request(r).getInvocationId(), Collectors.counting()));
                assertThat(copies).hasSize(calls.size() + more.size()).allSatisfy((id, n) -> assertThat(n)
                        .as(id).isEqualTo(1L));
            }
        }
    }

    /** Waits until the dispatcher group has {@code count} members, each holding a partition. */
    private static void awaitMembersWithPartitions(Harness h, int count) {
        try (Admin admin = h.clients.admin("registry-loss-it")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(h.topics.dispatcherGroup()))
                        .describedGroups().get(h.topics.dispatcherGroup()).get(5, TimeUnit.SECONDS);
                return group.members().size() == count && group.members().stream()
                        .allMatch(m -> !m.assignment().topicPartitions().isEmpty());
            });
        }
    }

    /** A registry client that answers as the real one while {@link #up}, and like an unreachable one while not. */
    static final class Switchable implements SchemaRegistryClient {
        private final SchemaRegistryClient real;
        volatile boolean up = true;

        Switchable(SchemaRegistryClient real) {
            this.real = real;
        }

        private SchemaRegistryClient real() {
            if (!up) {
                throw new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE,
                        SchemaRegistryException.NO_RESPONSE,
                        "Schema registry at http://localhost:1 unreachable: java.net.ConnectException");
            }
            return real;
        }

        @Override
        public int register(String subject, Schema schema) {
            return real().register(subject, schema);
        }

        @Override
        public RegisteredSchema lookup(String subject, Schema schema) {
            return real().lookup(subject, schema);
        }

        @Override
        public Schema getById(int id) {
            return real().getById(id);
        }

        @Override
        public List<String> subjects() {
            return real().subjects();
        }

        @Override
        public List<Integer> versions(String subject) {
            return real().versions(subject);
        }

        @Override
        public RegisteredSchema getVersion(String subject, int version) {
            return real().getVersion(subject, version);
        }

        @Override
        public RegisteredSchema getLatest(String subject) {
            return real().getLatest(subject);
        }

        @Override
        public CompatibilityLevel getCompatibility(String subject) {
            return real().getCompatibility(subject);
        }

        @Override
        public Optional<CompatibilityLevel> getSubjectCompatibility(String subject) {
            return real().getSubjectCompatibility(subject);
        }

        @Override
        public void setCompatibility(String subject, CompatibilityLevel level) {
            real().setCompatibility(subject, level);
        }

        @Override
        public boolean testCompatibility(String subject, String version, Schema schema) {
            return real().testCompatibility(subject, version, schema);
        }

        @Override
        public List<Integer> deleteSubject(String subject) {
            return real().deleteSubject(subject);
        }

        @Override
        public int deleteVersion(String subject, int version) {
            return real().deleteVersion(subject, version);
        }
    }
}

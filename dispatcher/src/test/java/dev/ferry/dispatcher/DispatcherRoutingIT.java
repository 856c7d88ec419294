package dev.ferry.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FerryException;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.DispatcherConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.Runtime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DispatcherRoutingIT {

    private static FunctionSpec function(String name, int partitions, String strategy) {
        return FunctionSpecs.builder("acme", name, Runtime.JAVA, "echo").setPartitions(partitions)
                .setPartitionStrategy(strategy).build();
    }

    private static Set<String> ids(List<InvocationRequest> requests) {
        return requests.stream().map(InvocationRequest::getInvocationId).collect(Collectors.toSet());
    }

    @Test
    void shouldRouteToEachFunctionsOwnWorkTopicWithItsPartitionCountWhenTwoFunctionsAreInvoked(KafkaFixture kafka)
            throws Exception {
        try (Harness h = new Harness(kafka)) {
            h.deploy(function("resize", 3, null));
            h.deploy(function("thumbnail", 5, null));
            h.dispatcher().start();

            List<InvocationRequest> resize = new ArrayList<>();
            List<InvocationRequest> thumbnail = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                resize.add(Requests.request("acme", "resize").setKey(i % 2 == 0 ? "k" + i : null).build());
                thumbnail.add(Requests.request("acme", "thumbnail").build());
            }
            h.invoke(resize.toArray(InvocationRequest[]::new));
            h.invoke(thumbnail.toArray(InvocationRequest[]::new));

            String resizeTopic = h.topics.work(new FunctionRef("acme", "resize"));
            String thumbnailTopic = h.topics.work(new FunctionRef("acme", "thumbnail"));
            List<InvocationRequest> routedResize = h.read(resizeTopic, 20).stream().map(h::request).toList();
            List<InvocationRequest> routedThumbnail = h.read(thumbnailTopic, 20).stream().map(h::request).toList();

            assertThat(ids(routedResize)).isEqualTo(ids(resize));
            assertThat(ids(routedThumbnail)).isEqualTo(ids(thumbnail));
            assertThat(routedResize).allSatisfy(r -> assertThat(r.getFunction()).isEqualTo("resize"));
            assertThat(h.partitionCount(resizeTopic)).isEqualTo(3);
            assertThat(h.partitionCount(thumbnailTopic)).isEqualTo(5);
            assertThat(h.readAll(h.topics.results())).isEmpty();
        }
    }

    @Test
    void shouldRouteWithAListedStrategyClassAndNeverLoadAnUnlistedOneWhenSpecsNameClasses(KafkaFixture kafka)
            throws Exception {
        String listed = PartitionStrategiesTest.LastPartition.class.getName();
        try (Harness h = new Harness(kafka, Map.of(DispatcherConfig.PARTITION_STRATEGY_CLASSES, listed))) {
            h.deploy(function("regional", 3, listed));
            // Written straight to ferry.functions, past the gateway's check (a tester's "java.lang.Runtime").
            h.deploy(function("runtime", 3, "java.lang.Runtime"));
            h.dispatcher().start();

            InvocationRequest regional = Requests.request("acme", "regional").build();
            InvocationRequest runtime = Requests.request("acme", "runtime").build();
            h.invoke(regional, runtime);

            List<ConsumerRecord<byte[], byte[]>> routed = h.read(h.topics.work(new FunctionRef("acme", "regional")), 1);
            assertThat(routed.get(0).partition()).isEqualTo(2);
            InvocationResult rejected = h.results(1).get(runtime.getInvocationId());
            assertThat(rejected.getStatus()).isEqualTo(InvocationStatus.REJECTED);
            assertThat(rejected.getReasonCode()).isEqualTo("function_unavailable");
            assertThat(rejected.getError()).startsWith("unknown partition strategy 'java.lang.Runtime'")
                    .contains(listed, DispatcherConfig.PARTITION_STRATEGY_CLASSES);
        }
        try (Harness h = new Harness(kafka, Map.of(DispatcherConfig.PARTITION_STRATEGY_CLASSES, "com.example.Missing"))) {
            assertThatThrownBy(() -> h.dispatcher().start()).isInstanceOf(FerryException.class)
                    .hasMessageContaining("com.example.Missing of " + DispatcherConfig.PARTITION_STRATEGY_CLASSES);
        }
    }

    @Test
    void shouldKeepAKeyOnOnePartitionAndSpreadTheRestWhenInvocationsAreMixed(KafkaFixture kafka) throws Exception {
        try (Harness h = new Harness(kafka)) {
            h.deploy(function("orders", 6, null));
            h.dispatcher().start();
            List<String> keys = List.of("customer-1", "customer-2", "customer-3");
            for (int i = 0; i < 10; i++) {
                for (String key : keys) {
                    h.invoke(Requests.request("acme", "orders").setKey(key).build());
                }
            }
            for (int i = 0; i < 24; i++) {
                h.invoke(Requests.request("acme", "orders").build());
            }

            List<ConsumerRecord<byte[], byte[]>> routed = h.read(h.topics.work(new FunctionRef("acme", "orders")), 54);

            Map<String, Set<Integer>> partitionsByKey = routed.stream().map(r -> Map.entry(r, h.request(r)))
                    .filter(e -> e.getValue().getKey() != null)
                    .collect(Collectors.groupingBy(e -> e.getValue().getKey(),
                            Collectors.mapping(e -> e.getKey().partition(), Collectors.toSet())));
            assertThat(partitionsByKey).hasSize(3);
            keys.forEach(key -> assertThat(partitionsByKey.get(key)).containsExactly(
                    BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), 6)));
            assertThat(routed).filteredOn(r -> keys.contains(new String(r.key(), StandardCharsets.UTF_8))).hasSize(30);

            // Unkeyed: least lag, corrected by this dispatcher's own sends, spreads them instead of herding onto
            // the partition that looked emptiest (no lag sample exists, so every partition looked empty).
            Map<Integer, Long> unkeyed = routed.stream().filter(r -> h.request(r).getKey() == null)
                    .collect(Collectors.groupingBy(ConsumerRecord::partition, Collectors.counting()));
            assertThat(unkeyed.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(24);
            assertThat(unkeyed.keySet()).hasSizeGreaterThanOrEqualTo(3);
            assertThat(unkeyed.values()).allSatisfy(count -> assertThat(count).isLessThanOrEqualTo(12L));
        }
    }

    @Test
    void shouldRouteAFunctionWithoutRestartWhenItIsDeployedWhileTheDispatcherRuns(KafkaFixture kafka) throws Exception {
        try (Harness h = new Harness(kafka)) {
            Dispatcher dispatcher = h.dispatcher().start();
            InvocationRequest early = Requests.request("acme", "late").build();
            h.invoke(early);
            InvocationResult rejected = h.results(1).get(early.getInvocationId());
            assertThat(rejected.getStatus()).isEqualTo(InvocationStatus.REJECTED);
            assertThat(rejected.getError()).startsWith("unknown function acme/late");

            h.deploy(function("late", 2, "round-robin"));
            List<InvocationRequest> sent = IntStream.range(0, 4)
                    .mapToObj(i -> Requests.request("acme", "late").build()).toList();
            h.invoke(sent.toArray(InvocationRequest[]::new));

            List<ConsumerRecord<byte[], byte[]>> routed = h.read(h.topics.work(new FunctionRef("acme", "late")), 4);
            assertThat(ids(routed.stream().map(h::request).toList())).isEqualTo(ids(sent));
            assertThat(routed.stream().collect(Collectors.groupingBy(ConsumerRecord::partition, Collectors.counting())))
                    .containsOnly(Map.entry(0, 2L), Map.entry(1, 2L));
            assertThat(dispatcher.isRunning()).isTrue();
        }
    }

    @Test
    void shouldGrowTheWorkTopicAndUseTheNewPartitionsWhenAFunctionIsRedeployedWithMore(KafkaFixture kafka)
            throws Exception {
        try (Harness h = new Harness(kafka)) {
            FunctionRef ref = new FunctionRef("acme", "growing");
            String topic = h.topics.work(ref);
            h.deploy(function("growing", 2, "round-robin"));
            h.dispatcher().start();
            h.invoke(Requests.request("acme", "growing").build(), Requests.request("acme", "growing").build());
            h.read(topic, 2);
            assertThat(h.partitionCount(topic)).isEqualTo(2);

            h.deploy(function("growing", 4, "round-robin"));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                h.invoke(Requests.request("acme", "growing").build());
                assertThat(h.readAll(topic).stream().map(ConsumerRecord::partition)).contains(2, 3);
            });
            assertThat(h.partitionCount(topic)).isEqualTo(4);
        }
    }

    @Test
    void shouldSteerAwayFromTheBackloggedPartitionWithoutHerdingWhenUsingLeastLag(KafkaFixture kafka)
            throws Exception {
        try (Harness h = new Harness(kafka)) {
            h.deploy(function("balanced", 2, "least-lag"));
            LagSample sample = LagSample.newBuilder().setTenant("acme").setFunction("balanced")
                    .setAt(Instant.now()).setPartitionLag(List.of(10L, 0L)).setTotalLag(10L)
                    .setArrivalRate(0).setServiceRate(0).setReplicas(1).build();
            h.send(new ProducerRecord<>(h.topics.lag(), Harness.utf8("acme/balanced"),
                    h.serdes.serializer(LagSample.class).serialize(h.topics.lag(), sample)));
            h.flush();
            h.dispatcher().start();

            for (int i = 0; i < 30; i++) {
                h.invoke(Requests.request("acme", "balanced").build());
            }

            Map<Integer, Long> counts = h.read(h.topics.work(new FunctionRef("acme", "balanced")), 30).stream()
                    .collect(Collectors.groupingBy(ConsumerRecord::partition, Collectors.counting()));
            // Partition 1 takes the first 10, until it looks as loaded as partition 0; then they share.
            assertThat(counts.get(1)).isBetween(19L, 21L);
            assertThat(counts.get(0)).isBetween(9L, 11L);
        }
    }
}

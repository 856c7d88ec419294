package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

@FerryKafkaTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class QueueDeliveryIT {

    private Harness harness;
    private WorkerContext context;
    private Harness.Results results;

    @BeforeAll
    void start(KafkaFixture kafka) {
        harness = new Harness(kafka);
        context = new WorkerContext(harness.config);
        results = harness.results();
    }

    @AfterAll
    void stop() {
        context.close();
        harness.close();
    }

    @Test
    void shouldAnswerEveryInvocationOnceWhenTenThousandEchoesRunOnThreeReplicas() {
        FunctionRef ref = new FunctionRef("acme", "echo-load");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "echo")
                .setConcurrency(32).setPartitions(3).build();
        List<InvocationRequest> requests = IntStream.range(0, 10_000)
                .mapToObj(i -> Harness.request(ref, "payload-" + i, null)).toList();

        try (WorkerPool pool = new WorkerPool(spec, context, 3)) {
            harness.send(requests);

            await().atMost(Duration.ofSeconds(150)).until(() -> pool.stats().processed() >= 10_000);
            await().atMost(Duration.ofSeconds(30)).until(() -> requests.stream()
                    .allMatch(r -> !results.of(r.getInvocationId()).isEmpty()));
            assertThat(pool.stats().succeeded()).isEqualTo(10_000);
            assertThat(pool.stats().inFlight()).isZero();
        }

        Map<String, InvocationRequest> byId = requests.stream()
                .collect(Collectors.toMap(InvocationRequest::getInvocationId, Function.identity()));
        List<InvocationResult> mine = results.all().stream().filter(r -> byId.containsKey(r.getInvocationId()))
                .toList();
        assertThat(mine).hasSize(10_000);
        assertThat(mine.stream().map(InvocationResult::getInvocationId).distinct()).hasSize(10_000);
        assertThat(mine).allSatisfy(result -> {
            assertThat(result.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED);
            assertThat(text(result.getOutput().duplicate())).isEqualTo(
                    text(byId.get(result.getInvocationId()).getPayload().duplicate()));
            assertThat(result.getAttempt()).isEqualTo(1);
            assertThat(result.getFinishedAt()).isAfterOrEqualTo(result.getStartedAt());
            assertThat(result.getWorker()).startsWith(context.workerName() + "#");
            assertThat(result.getMemoryMb()).isEqualTo(128);
        });
        assertThat(mine.stream().filter(InvocationResult::getColdStart)).hasSizeBetween(1, 3);
    }

    @Test
    void shouldShareOnePartitionWhenFourReplicasServeIt() {
        FunctionRef ref = new FunctionRef("acme", "one-partition");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "sleep")
                .setConcurrency(2).setPartitions(1).build();
        List<InvocationRequest> requests = IntStream.range(0, 400)
                .mapToObj(i -> Harness.request(ref, "{\"ms\": 50}", null)).toList();

        try (WorkerPool pool = new WorkerPool(spec, context, 4)) {
            harness.send(requests);
            await().atMost(Duration.ofSeconds(90)).until(() -> pool.stats().processed() >= 400);
        }

        List<String> ids = requests.stream().map(InvocationRequest::getInvocationId).toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> !results.of(id).isEmpty()));
        Map<String, Long> perWorker = ids.stream().flatMap(id -> results.of(id).stream())
                .collect(Collectors.groupingBy(InvocationResult::getWorker, Collectors.counting()));
        assertThat(perWorker).hasSize(4);
        assertThat(perWorker.values()).allSatisfy(count -> assertThat(count).isPositive());
        assertThat(perWorker.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(400);
    }

    /**
     * Session 11, end to end: a PROCESS function reads the attempt's facts from its environment, as an HTTP function
     * reads them from its headers. Before, a command saw its deploy's env only: no invocation id, no trace context.
     */
    @Test
    void shouldTellAProcessFunctionItsInvocationAndTraceContextThroughItsEnvironment() {
        FunctionRef ref = new FunctionRef("acme", "process-facts");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.PROCESS,
                "printf '%s|%s|%s/%s|%s|%s' \"$FERRY_INVOCATION_ID\" \"$FERRY_ATTEMPT\" \"$FERRY_TENANT\" "
                        + "\"$FERRY_FUNCTION\" \"$FERRY_KEY\" \"$TRACEPARENT\"")
                .setPartitions(1).setEnv(Map.of("FERRY_INVOCATION_ID", "from-the-deploy")).build();
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        InvocationRequest request = Harness.request(ref, "", "order-7");
        request.setHeaders(Map.of("traceparent", traceparent));

        try (WorkerContext processes = new WorkerContext(harness.config
                .with(dev.ferry.core.config.WorkerConfig.PROCESS_RUNTIME_ENABLED, true));
                WorkerPool pool = new WorkerPool(spec, processes, 1)) {
            harness.send(List.of(request));
            await().atMost(Duration.ofSeconds(60)).until(() -> !results.of(request.getInvocationId()).isEmpty());
        }

        assertThat(results.of(request.getInvocationId())).singleElement().satisfies(result -> {
            assertThat(result.getStatus()).as(result.getError()).isEqualTo(InvocationStatus.SUCCEEDED);
            assertThat(text(result.getOutput().duplicate())).isEqualTo(request.getInvocationId()
                    + "|1|acme/process-facts|order-7|" + traceparent);
        });
    }

    /**
     * Tester 14A: a request written straight to a work topic (as any producer on the Kafka path may) passed its
     * {@code ferry.source.*} headers on as if a trigger had called (minor observation), and a key that is not
     * printable ASCII was left out of an HTTP function's headers (finding 13). Reserved names are dropped whoever
     * wrote the request; the key comes as marked base64, here to a PROCESS function.
     */
    @Test
    void shouldDropReservedHeadersOfARequestAndGiveAKeyThatIsNotPrintableAsciiAsMarkedBase64() {
        FunctionRef ref = new FunctionRef("acme", "process-reserved");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.PROCESS,
                "printf '%s|%s|%s|%s' \"$FERRY_SOURCE_TOPIC\" \"$FERRY_SOURCE_TOMBSTONE\" \"$FERRY_KEY\" "
                        + "\"$FERRY_KEY_ENCODING\"").setPartitions(1).build();
        InvocationRequest request = Harness.request(ref, "", "k\u0001\u00e9");
        request.setHeaders(Map.of("ferry.source.topic", "payments", "Ferry.Source.Tombstone", "true",
                "ferry.key.encoding", "text"));

        try (WorkerContext processes = new WorkerContext(harness.config
                .with(dev.ferry.core.config.WorkerConfig.PROCESS_RUNTIME_ENABLED, true));
                WorkerPool pool = new WorkerPool(spec, processes, 1)) {
            harness.send(List.of(request));
            await().atMost(Duration.ofSeconds(60)).until(() -> !results.of(request.getInvocationId()).isEmpty());
        }

        assertThat(results.of(request.getInvocationId())).singleElement().satisfies(result -> {
            assertThat(result.getStatus()).as(result.getError()).isEqualTo(InvocationStatus.SUCCEEDED);
            assertThat(text(result.getOutput().duplicate())).isEqualTo("||awHDqQ==|base64");
        });
    }

    private static String text(java.nio.ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

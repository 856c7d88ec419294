package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.NonRetriableFerryException;
import dev.ferry.core.config.WorkerConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.Map;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Bad invocations end in results and dead letters, and good traffic on the same pools keeps flowing. */
@FerryKafkaTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class PoisonIT {

    private KafkaFixture kafka;
    private Harness harness;
    private WorkerContext context;
    private Harness.Results results;
    private List<ConsumerRecord<byte[], byte[]>> deadLetters;

    @BeforeAll
    void start(KafkaFixture kafka) {
        this.kafka = kafka;
        harness = new Harness(kafka);
        // The test endpoints run on this host, which the HTTP runtime refuses unless allowed (issue 12).
        context = new WorkerContext(harness.config.with(WorkerConfig.HTTP_EGRESS_ALLOW, "127.0.0.1/32"));
        results = harness.results();
        deadLetters = harness.deadLetters();
    }

    @AfterAll
    void stop() {
        context.close();
        harness.close();
    }

    @Test
    void shouldRetryThenDeadLetterWhenTheFunctionAlwaysFails() {
        FunctionRef ref = new FunctionRef("acme", "always-fails");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "fail")
                .setMaxAttempts(3).setPartitions(2).setConcurrency(4).build();
        InvocationRequest poison = Harness.request(ref, "doomed", null);

        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            harness.send(List.of(poison));

            // The letter and the last result go to two topics, read by two readers: wait for both.
            await().atMost(Duration.ofSeconds(60)).until(() -> letterOf(poison.getInvocationId()) != null
                    && results.of(poison.getInvocationId()).size() >= 3);
            List<InvocationResult> attempts = results.of(poison.getInvocationId()).stream()
                    .sorted(Comparator.comparingInt(InvocationResult::getAttempt)).toList();
            assertThat(attempts).extracting(InvocationResult::getAttempt).containsExactly(1, 2, 3);
            assertThat(attempts).allSatisfy(result -> {
                assertThat(result.getStatus()).isEqualTo(InvocationStatus.FAILED);
                assertThat(result.getError()).contains("fail always fails");
            });
            assertThat(attempts).extracting(InvocationResult::getFinal$).containsExactly(false, false, true);
            assertThat(attempts).extracting(InvocationResult::getReasonCode)
                    .containsExactly(null, null, "attempts_exhausted");
            // Backoff 100 ms then 200 ms: each retry waits its tier's delay.
            assertThat(attempts.get(1).getStartedAt()).isAfterOrEqualTo(attempts.get(0).getFinishedAt()
                    .plusMillis(100));
            assertThat(attempts.get(2).getStartedAt()).isAfterOrEqualTo(attempts.get(1).getFinishedAt()
                    .plusMillis(200));

            ConsumerRecord<byte[], byte[]> letter = letterOf(poison.getInvocationId());
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.ATTEMPT)).isEqualTo("3");
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.ERROR_CLASS))
                    .isEqualTo("dev.ferry.core.RetriableFerryException");
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.ERROR_MESSAGE)).contains("attempt 3");
            assertThat(DeadLetters.header(letter.headers(), DeadLetters.ORIGINAL_TOPIC))
                    .isEqualTo(harness.topics.work(ref));
            assertThat(pool.stats().deadLettered()).isEqualTo(1);
            assertThat(pool.stats().retried()).isEqualTo(2);
        }
    }

    /**
     * Issue 16: every retry tier is served by one consumer of one group, not a group member per tier (seven members
     * heartbeating and fetching in every idle worker process).
     */
    @Test
    void shouldServeEveryRetryTierWithOneGroupMember() throws Exception {
        String group = harness.topics.retryForwarderGroup();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var description = kafka.admin().describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
            assertThat(description.members()).singleElement().satisfies(member -> assertThat(
                    member.assignment().topicPartitions()).extracting(tp -> tp.topic()).contains(
                            harness.topics.retry(100), harness.topics.retry(200)));
        });
        assertThat(kafka.admin().listGroups().all().get()).extracting(listing -> listing.groupId())
                .as("no group per tier").doesNotContain(harness.topics.retry(100), harness.topics.retry(200));
    }

    @Test
    void shouldTimeOutThenDeadLetterWhenTheFunctionRunsPastItsTimeout() {
        FunctionRef ref = new FunctionRef("acme", "too-slow");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "sleep")
                .setTimeoutMs(300).setMaxAttempts(1).setPartitions(1).setConcurrency(4).build();
        InvocationRequest slow = Harness.request(ref, "{\"ms\": 20000}", null);
        List<InvocationRequest> quick = IntStream.range(0, 20)
                .mapToObj(i -> Harness.request(ref, "{\"ms\": 1}", null)).toList();

        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            harness.send(List.of(slow));
            harness.send(quick);

            await().atMost(Duration.ofSeconds(30)).until(() -> letterOf(slow.getInvocationId()) != null
                    && quick.stream().allMatch(r -> !results.of(r.getInvocationId()).isEmpty()));
        }
        InvocationResult timedOut = results.of(slow.getInvocationId()).get(0);
        assertThat(timedOut.getStatus()).isEqualTo(InvocationStatus.TIMED_OUT);
        assertThat(timedOut.getDurationMicros()).isBetween(300_000L, 5_000_000L);
        assertThat(timedOut.getError()).contains("300 ms");
        assertThat(timedOut.getFinal$()).as("maxAttempts 1: nothing follows").isTrue();
        assertThat(timedOut.getReasonCode()).isEqualTo("attempts_exhausted");
        assertThat(quick).allSatisfy(r -> assertThat(results.of(r.getInvocationId()))
                .singleElement().extracting(InvocationResult::getStatus).isEqualTo(InvocationStatus.SUCCEEDED));
    }

    @Test
    void shouldFailEachAttemptWhenTheHttpEndpointAnswers500() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/broken", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "backend exploded".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        FunctionRef ref = new FunctionRef("acme", "http-broken");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.HTTP,
                "http://127.0.0.1:" + server.getAddress().getPort() + "/broken")
                .setMaxAttempts(2).setPartitions(1).build();
        InvocationRequest request = Harness.request(ref, "hello", null);

        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            harness.send(List.of(request));
            await().atMost(Duration.ofSeconds(30)).until(() -> letterOf(request.getInvocationId()) != null
                    && results.of(request.getInvocationId()).size() >= 2);
        } finally {
            server.stop(0);
        }
        assertThat(results.of(request.getInvocationId())).hasSize(2).allSatisfy(result -> {
            assertThat(result.getStatus()).isEqualTo(InvocationStatus.FAILED);
            assertThat(result.getError()).contains("HTTP 500").contains("backend exploded");
        });
        assertThat(DeadLetters.header(letterOf(request.getInvocationId()).headers(), DeadLetters.ATTEMPT))
                .isEqualTo("2");
    }

    /** Issue 12: an HTTP handler may not reach the platform's services on the worker host. */
    @Test
    void shouldFailOnceWithoutRetryWhenAnHttpHandlerPointsAtTheWorkersOwnHost() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            calls.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        FunctionRef ref = new FunctionRef("acme", "http-inward");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.HTTP,
                "http://localhost:" + server.getAddress().getPort() + "/admin").setMaxAttempts(3).setPartitions(1)
                .build();
        InvocationRequest request = Harness.request(ref, "hello", null);

        try (WorkerContext strict = new WorkerContext(harness.config);
                WorkerPool pool = new WorkerPool(spec, strict, 1)) {
            harness.send(List.of(request));
            await().atMost(Duration.ofSeconds(30)).until(() -> letterOf(request.getInvocationId()) != null);
        } finally {
            server.stop(0);
        }
        assertThat(results.of(request.getInvocationId())).singleElement().satisfies(result -> {
            assertThat(result.getStatus()).isEqualTo(InvocationStatus.FAILED);
            assertThat(result.getError()).contains("egress policy").contains("loopback");
        });
        assertThat(calls).as("the worker's own host was never called").hasValue(0);
    }

    @Test
    void shouldDeadLetterAnUndecodableRecordWhileGoodTrafficFlows() {
        FunctionRef ref = new FunctionRef("acme", "echo-poisoned");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "echo")
                .setPartitions(1).setConcurrency(4).build();
        List<InvocationRequest> before = IntStream.range(0, 20).mapToObj(i -> Harness.request(ref, "b" + i, null))
                .toList();
        List<InvocationRequest> after = IntStream.range(0, 20).mapToObj(i -> Harness.request(ref, "a" + i, null))
                .toList();
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);

        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            harness.send(before);
            harness.sendRaw(ref, garbage);
            harness.send(after);

            await().atMost(Duration.ofSeconds(30)).until(() -> after.stream()
                    .allMatch(r -> !results.of(r.getInvocationId()).isEmpty()));
            await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.stream()
                    .anyMatch(l -> l.topic() != null && java.util.Arrays.equals(l.value(), garbage)));
            assertThat(pool.stats().deadLettered()).isEqualTo(1);
        }
        ConsumerRecord<byte[], byte[]> letter = deadLetters.stream()
                .filter(l -> java.util.Arrays.equals(l.value(), garbage)).findFirst().orElseThrow();
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.ORIGINAL_TOPIC)).isEqualTo(harness.topics.work(ref));
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.ERROR_CLASS)).isNotBlank();
        // Never run: no attempt was made, as a trigger's undecodable letter says.
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.ATTEMPT)).isEqualTo("0");
        assertThat(before).allSatisfy(r -> assertThat(results.of(r.getInvocationId())).singleElement()
                .extracting(InvocationResult::getStatus).isEqualTo(InvocationStatus.SUCCEEDED));
    }

    @Test
    void shouldRejectWithoutRunningWhenTheDeadlineHasPassed() {
        FunctionRef ref = new FunctionRef("acme", "late");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "echo")
                .setPartitions(1).build();
        InvocationRequest late = InvocationRequest.newBuilder(Harness.request(ref, "too late", null))
                .setDeadline(java.time.Instant.now().minusSeconds(5)).build();
        InvocationRequest onTime = Harness.request(ref, "on time", null);

        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            harness.send(List.of(late, onTime));
            await().atMost(Duration.ofSeconds(30)).until(() -> !results.of(late.getInvocationId()).isEmpty()
                    && !results.of(onTime.getInvocationId()).isEmpty());
            assertThat(pool.stats().succeeded()).isEqualTo(1);
        }
        assertThat(results.of(late.getInvocationId())).singleElement().satisfies(result -> {
            assertThat(result.getStatus()).isEqualTo(InvocationStatus.REJECTED);
            assertThat(result.getError()).contains("Deadline");
            assertThat(result.getDurationMicros()).isZero();
            assertThat(result.getFinal$()).isTrue();
            assertThat(result.getReasonCode()).isEqualTo("deadline_passed");
        });
        assertThat(results.of(onTime.getInvocationId())).singleElement()
                .extracting(InvocationResult::getStatus).isEqualTo(InvocationStatus.SUCCEEDED);
        assertThat(letterOf(late.getInvocationId())).isNull();
    }

    @Test
    void shouldRejectWithoutRunningWhenARecordOnTheWorkTopicHasAnAttemptBelowOne() {
        // Produced straight to the work topic, past the dispatcher: attempt -5 of a failing function made the
        // backoff throw on every delivery until the delivery limit.
        FunctionRef ref = new FunctionRef("acme", "negative");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "fail")
                .setPartitions(1).build();
        InvocationRequest negative = InvocationRequest.newBuilder(Harness.request(ref, "x", null)).setAttempt(-5)
                .build();

        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            harness.send(List.of(negative));
            await().atMost(Duration.ofSeconds(30)).until(() -> !results.of(negative.getInvocationId()).isEmpty());
        }
        assertThat(results.of(negative.getInvocationId())).singleElement().satisfies(result -> {
            assertThat(result.getStatus()).isEqualTo(InvocationStatus.REJECTED);
            assertThat(result.getReasonCode()).isEqualTo("invalid_request");
            assertThat(result.getError()).isEqualTo("attempt must be at least 1 (attempts count from 1), got -5");
            assertThat(result.getDurationMicros()).isZero();
            assertThat(result.getFinal$()).isTrue();
        });
        assertThat(letterOf(negative.getInvocationId())).isNull();
    }

    @Test
    void shouldRejectWithoutRunningWhenARecordOnTheWorkTopicIsAnotherPoolsOrBeyondMaxAttempts() {
        // Produced straight to echo's work topic: another tenant's invocation, another function's, and an attempt
        // past maxAttempts all ran echo's code, the first billed to the other tenant (a tester, session 8).
        FunctionRef ref = new FunctionRef("acme", "stranger");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "echo")
                .setPartitions(1).setMaxAttempts(3).build();
        InvocationRequest otherTenant = InvocationRequest.newBuilder(Harness.request(ref, "x", null))
                .setTenant("beta").build();
        InvocationRequest otherFunction = InvocationRequest.newBuilder(Harness.request(ref, "x", null))
                .setFunction("sha256").build();
        InvocationRequest pastMax = InvocationRequest.newBuilder(Harness.request(ref, "x", null)).setAttempt(9)
                .build();
        InvocationRequest own = Harness.request(ref, "x", null);
        List<InvocationRequest> sent = List.of(otherTenant, otherFunction, pastMax, own);

        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            harness.sendTo(ref, sent);
            await().atMost(Duration.ofSeconds(30)).until(() -> sent.stream()
                    .allMatch(r -> !results.of(r.getInvocationId()).isEmpty()));
            assertThat(pool.stats().succeeded()).as("only its own invocation ran").isEqualTo(1);
        }
        assertThat(results.of(own.getInvocationId())).singleElement()
                .extracting(InvocationResult::getStatus).isEqualTo(InvocationStatus.SUCCEEDED);
        for (InvocationRequest refused : List.of(otherTenant, otherFunction, pastMax)) {
            assertThat(results.of(refused.getInvocationId())).singleElement().satisfies(result -> {
                assertThat(result.getStatus()).isEqualTo(InvocationStatus.REJECTED);
                assertThat(result.getReasonCode()).isEqualTo("invalid_request");
                assertThat(result.getOutput()).as("never ran").isNull();
                assertThat(result.getDurationMicros()).isZero();
            });
        }
        assertThat(results.of(otherTenant.getInvocationId()).get(0).getError())
                .isEqualTo("invocation of beta/stranger found on the work topic of acme/stranger; it is not run");
        assertThat(results.of(pastMax.getInvocationId()).get(0).getError())
                .isEqualTo("attempt 9 is beyond the function's maxAttempts 3");
    }

    @Test
    void shouldFailAtOnceAndDeadLetterWhenTheProcessRuntimeIsDisabled() {
        FunctionRef ref = new FunctionRef("acme", "no-process");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.PROCESS, "cat")
                .setPartitions(1).setMaxAttempts(3).build();
        InvocationRequest request = Harness.request(ref, "x", null);

        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            harness.send(List.of(request));
            await().atMost(Duration.ofSeconds(30)).until(() -> letterOf(request.getInvocationId()) != null
                    && !results.of(request.getInvocationId()).isEmpty());
            assertThat(pool.stats().retried()).isZero();
        }
        assertThat(results.of(request.getInvocationId())).as("no retry can enable the runtime").singleElement()
                .satisfies(result -> {
                    assertThat(result.getStatus()).isEqualTo(InvocationStatus.FAILED);
                    assertThat(result.getError()).contains("worker.process.runtime.enabled=true");
                    assertThat(result.getFinal$()).as("final at once: a gateway must not wait for retries").isTrue();
                    assertThat(result.getReasonCode()).isEqualTo("function_unavailable");
                    assertThat(result.getDurationMicros()).as("no user code ran").isZero();
                });
    }

    @Test
    void shouldFailAndDeadLetterWhenARecordKeepsComingBackWithoutAnAnswer() throws Exception {
        FunctionRef ref = new FunctionRef("acme", "comes-back");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "echo")
                .setPartitions(1).build();
        harness.workTopic(ref, 1);
        String group = harness.topics.workerGroup(ref);
        harness.shareGroupConfig(group, "share.auto.offset.reset", "earliest");
        InvocationRequest request = Harness.request(ref, "killer", null);
        harness.send(List.of(request));
        // Stands in for workers that died holding it: three deliveries, each given back unanswered.
        try (KafkaShareConsumer<byte[], byte[]> dying = harness.clients.shareConsumer(group, "dying",
                new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                Map.of("share.acknowledgement.mode", "explicit"))) {
            dying.subscribe(List.of(harness.topics.work(ref)));
            int deliveries = 0;
            while (deliveries < 3) {
                for (ConsumerRecord<byte[], byte[]> record : dying.poll(Duration.ofMillis(200))) {
                    dying.acknowledge(record, AcknowledgeType.RELEASE);
                    deliveries++;
                }
                dying.commitSync();
            }
        }

        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> letterOf(request.getInvocationId()) != null
                    && !results.of(request.getInvocationId()).isEmpty());
            assertThat(pool.stats().succeeded()).as("the record was never run again").isZero();
        }
        assertThat(results.of(request.getInvocationId())).singleElement().satisfies(result -> {
            assertThat(result.getStatus()).isEqualTo(InvocationStatus.FAILED);
            assertThat(result.getError()).contains("Delivered 4 times");
            assertThat(result.getFinal$()).isTrue();
            assertThat(result.getReasonCode()).isEqualTo("delivery_limit");
        });
    }

    @Test
    void shouldDeadLetterAtOnceWithoutRetryWhenTheFunctionSaysNoRetryCanHelp() {
        FunctionRef ref = new FunctionRef("acme", "rejects-input");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA,
                RejectsInput.class.getName()).setMaxAttempts(3).setPartitions(1).build();
        InvocationRequest request = Harness.request(ref, "order without lines", null);

        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            harness.send(List.of(request));
            await().atMost(Duration.ofSeconds(30)).until(() -> letterOf(request.getInvocationId()) != null
                    && !results.of(request.getInvocationId()).isEmpty());
            assertThat(pool.stats().retried()).isZero();
        }
        assertThat(results.of(request.getInvocationId())).singleElement().satisfies(result -> {
            assertThat(result.getStatus()).isEqualTo(InvocationStatus.FAILED);
            assertThat(result.getAttempt()).isEqualTo(1);
            assertThat(result.getFinal$()).isTrue();
            assertThat(result.getReasonCode()).isEqualTo("not_retriable");
            assertThat(result.getError()).contains("no lines");
        });
        assertThat(DeadLetters.header(letterOf(request.getInvocationId()).headers(), DeadLetters.ERROR_CLASS))
                .isEqualTo(NonRetriableFerryException.class.getName());
    }

    /** The caller's bad input to a built-in is not retried nor billed again, and the error says what was wrong. */
    @Test
    void shouldFailOnceInPlainWordsWhenABuiltInGetsAMalformedPayload() {
        FunctionRef ref = new FunctionRef("acme", "sleep-bad-input");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "sleep")
                .setMaxAttempts(3).setPartitions(1).build();
        InvocationRequest malformed = Harness.request(ref, "{not json", null);
        InvocationRequest wrongShape = Harness.request(ref, "{\"ms\": \"soon\"}", null);

        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            harness.send(List.of(malformed, wrongShape));
            await().atMost(Duration.ofSeconds(30)).until(() -> letterOf(malformed.getInvocationId()) != null
                    && letterOf(wrongShape.getInvocationId()) != null
                    && !results.of(malformed.getInvocationId()).isEmpty()
                    && !results.of(wrongShape.getInvocationId()).isEmpty());
            assertThat(pool.stats().retried()).isZero();
        }
        assertThat(results.of(malformed.getInvocationId())).singleElement().satisfies(result -> {
            assertThat(result.getAttempt()).isEqualTo(1);
            assertThat(result.getFinal$()).isTrue();
            assertThat(result.getReasonCode()).isEqualTo("not_retriable");
            assertThat(result.getError()).contains("not valid JSON").contains("{\"ms\": 100}")
                    .doesNotContain("Exception").doesNotContain("Source");
        });
        assertThat(results.of(wrongShape.getInvocationId())).singleElement().satisfies(result -> {
            assertThat(result.getReasonCode()).isEqualTo("not_retriable");
            assertThat(result.getError()).contains("'{\"ms\": \"soon\"}'").doesNotContain("Exception");
        });
    }

    @Test
    void shouldDeadLetterARetryTierRecordThatNamesNoWorkTopic() {
        String marker = "parked-by-hand-" + java.util.UUID.randomUUID();
        harness.sendRaw(harness.topics.retry(100), marker.getBytes(StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(30)).until(() -> letterOf(marker) != null);
        ConsumerRecord<byte[], byte[]> letter = letterOf(marker);
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.ERROR_CLASS))
                .isEqualTo("dev.ferry.worker.MissingRetryTarget");
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.ORIGINAL_TOPIC))
                .isEqualTo(harness.topics.retry(100));
    }

    /** A user's function that finds its input wrong: no retry can help. */
    public static final class RejectsInput implements Function {
        @Override
        public byte[] apply(Invocation in) {
            throw new NonRetriableFerryException("order has no lines: " + in.payloadAsString());
        }
    }

    private ConsumerRecord<byte[], byte[]> letterOf(String invocationId) {
        return deadLetters.stream().filter(letter -> new String(letter.value(), StandardCharsets.ISO_8859_1)
                .contains(invocationId)).findFirst().orElse(null);
    }
}

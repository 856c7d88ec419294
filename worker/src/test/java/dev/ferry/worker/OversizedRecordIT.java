package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.core.config.WorkerConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.invocation.ReasonCode;
import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11: a record over a limit ends as a clear outcome and the stage goes on with the next one. 7 MiB records
 * produced straight to a work topic and to a retry tier, a record its work topic refuses parked on a retry tier,
 * and an output too large for a result from an ORDERED (consumer group) pool.
 */
@FerryKafkaTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class OversizedRecordIT {

    private static final int MIB = 1024 * 1024;
    private static final int RUN_MS = 200;

    private Harness harness;
    private WorkerContext context;
    private Harness.Results results;
    private List<ConsumerRecord<byte[], byte[]>> deadLetters;
    private HttpServer server;
    private final AtomicInteger bigCalls = new AtomicInteger();
    /** Bytes the endless function managed to write before its caller went away. */
    private final AtomicLong endlessServed = new AtomicLong();
    /** Where the endless function gives up, so a worker that reads it whole still ends: 256 MiB. */
    private static final long SERVE_AT_MOST = 256L * MIB;

    @BeforeAll
    void start(KafkaFixture kafka) throws Exception {
        // The HTTP function is a server on this host: allow loopback, as ferry dev does (issue 12's egress policy).
        harness = new Harness(kafka, Map.of(WorkerConfig.HTTP_EGRESS_ALLOW, "127.0.0.0/8,::1"));
        context = new WorkerContext(harness.config);
        results = harness.results();
        deadLetters = harness.deadLetters();
        // An HTTP function answering as many bytes of 'a' as its payload names, after RUN_MS.
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.createContext("/bytes", exchange -> {
            int n = Integer.parseInt(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (n > MIB) {
                bigCalls.incrementAndGet();
            }
            try {
                Thread.sleep(RUN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = new byte[n];
            Arrays.fill(body, (byte) 'a');
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        // An HTTP function answering without end (chunked), as the 1.2 GB handler of the report did.
        server.createContext("/endless", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = filled(64 * 1024, 'e');
            try (OutputStream out = exchange.getResponseBody()) {
                while (endlessServed.get() < SERVE_AT_MOST) {
                    out.write(chunk);
                    endlessServed.addAndGet(chunk.length);
                }
            } catch (java.io.IOException e) {
                // The worker went away: what a bounded reader does.
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterAll
    void stop() {
        context.close();
        harness.close();
        server.stop(0);
    }

    @Test
    void shouldAnswerTheNextRecordWhenSevenMebibyteRecordsArriveOnAWorkTopic() {
        FunctionRef ref = new FunctionRef("acme", "echo-big");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "echo")
                .setPartitions(1).build();
        InvocationRequest before = Harness.request(ref, "before", null);
        InvocationRequest big = withPayload(Harness.request(ref, "", null), filled(7 * MIB, 'b'));
        byte[] garbage = filled(7 * MIB, 'g');
        InvocationRequest after = Harness.request(ref, "after", null);

        harness.workTopic(ref, 1);
        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            harness.send(List.of(before, big));
            harness.sendRaw(ref, garbage);
            harness.send(List.of(after));

            await().atMost(Duration.ofSeconds(60)).until(() -> !results.of(after.getInvocationId()).isEmpty());
            await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters.stream()
                    .anyMatch(l -> Arrays.equals(l.value(), garbage)));
        }
        // 7 MiB fits the 8 MiB result topic: it is answered whole.
        assertThat(results.of(big.getInvocationId())).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED);
            assertThat(r.getOutput().remaining()).isEqualTo(7 * MIB);
        });
        assertThat(results.of(after.getInvocationId())).singleElement()
                .extracting(InvocationResult::getStatus).isEqualTo(InvocationStatus.SUCCEEDED);
    }

    @Test
    void shouldWriteAFinalFailedResultBilledItsRunTimeAndGoOnWhenAnOrderedFunctionAnswersNineMebibytes() {
        FunctionRef ref = new FunctionRef("acme", "http-ordered");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.HTTP,
                        "http://localhost:" + server.getAddress().getPort() + "/bytes")
                .setDelivery(Delivery.ORDERED).setPartitions(1).setTimeoutMs(30_000).build();
        InvocationRequest nine = Harness.request(ref, String.valueOf(9 * MIB), "k");
        InvocationRequest next = Harness.request(ref, "3", "k");

        harness.workTopic(ref, 1);
        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            harness.send(List.of(nine, next));
            await().atMost(Duration.ofSeconds(60)).until(() -> !results.of(next.getInvocationId()).isEmpty());
        }
        assertThat(results.of(nine.getInvocationId())).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(InvocationStatus.FAILED);
            assertThat(r.getOutput()).isNull();
            assertThat(r.getFinal$()).isTrue();
            assertThat(ReasonCode.parse(r.getReasonCode())).contains(ReasonCode.OUTPUT_TOO_LARGE);
            // The runtime stops reading one byte past the limit, so that is the size the error can name.
            assertThat(r.getError()).contains("at least " + (TopicConfig.DEFAULT_MAX_MESSAGE_BYTES + 1));
            assertThat(r.getAttempt()).isEqualTo(1);
            assertThat(r.getDurationMicros()).isGreaterThanOrEqualTo(RUN_MS * 1000L);
        });
        assertThat(bigCalls.get()).as("the function ran once").isEqualTo(1);
        assertThat(results.of(next.getInvocationId())).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED);
            assertThat(r.getOutput().remaining()).isEqualTo(3);
        });
    }

    @Test
    void shouldFailAsOutputTooLargeWithoutReadingItAllWhenAnHttpFunctionAnswersWithoutEnd() {
        FunctionRef ref = new FunctionRef("acme", "http-endless");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.HTTP,
                        "http://localhost:" + server.getAddress().getPort() + "/endless")
                .setPartitions(1).setTimeoutMs(30_000).build();
        InvocationRequest endless = Harness.request(ref, "go", null);

        harness.workTopic(ref, 1);
        try (WorkerPool pool = new WorkerPool(spec, context, 1)) {
            harness.send(List.of(endless));
            await().atMost(Duration.ofSeconds(60)).until(() -> !results.of(endless.getInvocationId()).isEmpty());
        }
        assertThat(results.of(endless.getInvocationId())).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(InvocationStatus.FAILED);
            assertThat(r.getOutput()).isNull();
            assertThat(r.getFinal$()).isTrue();
            assertThat(ReasonCode.parse(r.getReasonCode())).contains(ReasonCode.OUTPUT_TOO_LARGE);
        });
        // The worker stopped reading a byte past the 8 MiB limit and dropped the connection: the function could
        // write little more than that (socket buffers), far from its 256 MiB give-up point.
        assertThat(endlessServed.get()).isLessThan(32L * MIB);
    }

    @Test
    void shouldForwardOrDeadLetterEachRecordAndGoOnWhenOversizedRecordsArriveOnARetryTier() throws Exception {
        FunctionRef ref = new FunctionRef("acme", "echo-retried");
        FunctionSpec spec = FunctionSpecs.builder(ref.tenant(), ref.function(), Runtime.JAVA, "echo")
                .setPartitions(1).build();
        String tier = harness.topics.retry(100);
        String work = harness.topics.work(ref);
        InvocationRequest big = withPayload(Harness.request(ref, "", null), filled(7 * MIB, 'r'));
        big.setAttempt(2);
        // Over the work topic's 8 MiB but within the tier's limit; random, so no compression gets it under.
        byte[] refused = new byte[harness.config.topics().maxMessageBytes() + 8 * 1024];
        new Random(11).nextBytes(refused);
        InvocationRequest after = Harness.request(ref, "after", null);
        after.setAttempt(2);

        harness.workTopic(ref, 1);
        try (WorkerPool pool = new WorkerPool(spec, context, 1);
                KafkaProducer<byte[], byte[]> raw = harness.clients.producer("test-tier", new ByteArraySerializer(),
                        new ByteArraySerializer(), Map.of())) {
            for (byte[] value : List.of(encode(work, big), refused, encode(work, after))) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("ferry.retry.topic", work.getBytes(StandardCharsets.UTF_8));
                headers.add("ferry.retry.partition", "0".getBytes(StandardCharsets.UTF_8));
                raw.send(new ProducerRecord<>(tier, 0, (byte[]) null, value, headers)).get();
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> !results.of(after.getInvocationId()).isEmpty());
        }
        assertThat(results.of(big.getInvocationId())).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED);
            assertThat(r.getAttempt()).isEqualTo(2);
        });
        // The dead letter was acknowledged before the next record went on, but the test's DLQ reader may be behind.
        ConsumerRecord<byte[], byte[]> letter = await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters.stream()
                .filter(l -> Arrays.equals(l.value(), refused)).findFirst(), java.util.Optional::isPresent).orElseThrow();
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.ORIGINAL_TOPIC)).isEqualTo(tier);
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.ERROR_CLASS))
                .isEqualTo(org.apache.kafka.common.errors.RecordTooLargeException.class.getName());
    }

    private byte[] encode(String topic, InvocationRequest request) {
        return harness.serdes.serializer(InvocationRequest.class).serialize(topic, request);
    }

    private static InvocationRequest withPayload(InvocationRequest request, byte[] payload) {
        request.setPayload(ByteBuffer.wrap(payload));
        return request;
    }

    private static byte[] filled(int size, char c) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) c);
        return bytes;
    }
}

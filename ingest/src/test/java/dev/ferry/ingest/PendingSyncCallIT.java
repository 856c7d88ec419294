package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A synchronous call whose wait ends before its final result answers 504 "pending, fetch it later" with its id and
 * {@code Location}, even when a retried attempt's result came (docs/design.md, "HTTP API"). Before the fix the gateway
 * answered with that attempt's outcome (504 {@code function_timed_out}, {@code Ferry-Status: TIMED_OUT}, no
 * {@code Location}) while a retry was coming, and a caller who trusted it and called again ran the function twice.
 *
 * <p>No dispatcher or worker: the test plays the worker, reading the request from {@code ferry.invocations} and
 * writing results to its {@code replyTo}, the gateway's reply topic, as the worker does.
 */
@FerryKafkaTest
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class PendingSyncCallIT {

    /** The call waits this plus the margin below: long enough for the test to write the retried attempt's result. */
    private static final int TIMEOUT_MS = 10_000;
    private static final long MARGIN_MS = 1000;

    @TempDir
    static Path dir;

    private static FerryConfig config;
    private static Gateway gateway;
    private static HttpApi api;
    private static String acme;
    private static KafkaProducer<String, InvocationResult> results;

    @BeforeAll
    static void start(KafkaFixture kafka) {
        acme = new TenantAdmin(dir.resolve("tenants.json")).createTenant("acme");
        config = Platform.config(kafka, dir.resolve("tenants.json")).with(GatewayConfig.SYNC_WAIT_MARGIN_MS, MARGIN_MS);
        gateway = new Gateway(config).start();
        api = new HttpApi(gateway.port());
        HttpResponse<byte[]> deployed = api.put("/v1/functions/flaky", acme, "{\"runtime\": \"HTTP\", \"handler\": "
                + "\"https://functions.example.com/flaky\", \"timeoutMs\": " + TIMEOUT_MS + ", \"maxAttempts\": 3}");
        assertThat(deployed.statusCode()).as(text(deployed)).isEqualTo(201);
        results = new KafkaClients(config).producer("it-worker", new StringSerializer(),
                new AvroSerdes(config).serializer(InvocationResult.class), Map.of());
    }

    @AfterAll
    static void stop() {
        if (results != null) {
            results.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void shouldAnswerPendingWithLocationWhenOnlyARetriedAttemptsResultCameInTime() throws Exception {
        InvocationRequest request;
        CompletableFuture<HttpResponse<byte[]>> call;
        try (KafkaConsumer<String, InvocationRequest> invocations = invocationsFromNow("it-invocations")) {

            call = CompletableFuture.supplyAsync(() ->
                    api.post("/v1/functions/flaky/invoke", acme, "req-A", "text/plain"));

            AtomicReference<InvocationRequest> seen = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                invocations.poll(Duration.ofMillis(100)).forEach(r -> {
                    if ("flaky".equals(r.value().getFunction())) {
                        seen.set(r.value());
                    }
                });
                return seen.get() != null;
            });
            request = seen.get();
        }
        String id = request.getInvocationId();

        // Attempt 1 timed out and the worker scheduled attempt 2: not final.
        write(request, result(request, 1, InvocationStatus.TIMED_OUT, false));
        // The gateway has read it while the call still waits (its store shows the retry).
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<byte[]> retrying = api.get("/v1/invocations/" + id, acme);
            assertThat(retrying.statusCode()).as(text(retrying)).isEqualTo(202);
            assertThat(json(retrying).get("status").asText()).isEqualTo("RETRYING");
        });
        assertThat(call).as("the call still waits for a final result").isNotDone();

        HttpResponse<byte[]> response = call.get(30, TimeUnit.SECONDS);

        assertThat(response.statusCode()).as(text(response)).isEqualTo(504);
        assertThat(response.headers().firstValue("Location")).contains("/v1/invocations/" + id);
        assertThat(response.headers().firstValue("Ferry-Invocation-Id")).contains(id);
        assertThat(response.headers().firstValue("Ferry-Status")).as("no outcome yet").isEmpty();
        JsonNode error = json(response);
        assertThat(error.get("code").asText()).isEqualTo("timeout");
        assertThat(error.get("error").asText()).contains("pending").contains("/v1/invocations/" + id);

        // Attempt 3 succeeds later: that is what the Location answers, not the retried attempt.
        write(request, result(request, 3, InvocationStatus.SUCCEEDED, true));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<byte[]> done = api.get("/v1/invocations/" + id, acme);
            assertThat(done.statusCode()).as(text(done)).isEqualTo(200);
            JsonNode result = json(done);
            assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(result.get("attempt").asInt()).isEqualTo(3);
            assertThat(result.get("final").asBoolean()).isTrue();
            assertThat(result.get("output").asText()).isEqualTo("done-A");
        });
    }

    @Test
    void shouldPassTheCallersTraceStateOnWithItsTraceParent() {
        // W3C Trace Context: tracestate travels with traceparent (a tester, session 13: the gateway dropped it).
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        try (KafkaConsumer<String, InvocationRequest> invocations = invocationsFromNow("it-invocations-trace")) {

            HttpResponse<byte[]> accepted = api.post("/v1/functions/flaky/invocations", acme, "traced", "text/plain",
                    Map.of("traceparent", traceparent, "tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"));
            assertThat(accepted.statusCode()).as(text(accepted)).isEqualTo(202);
            String id = json(accepted).get("invocationId").asText();

            AtomicReference<InvocationRequest> seen = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                invocations.poll(Duration.ofMillis(100)).forEach(r -> {
                    if (id.equals(r.value().getInvocationId())) {
                        seen.set(r.value());
                    }
                });
                return seen.get() != null;
            });
            assertThat(seen.get().getHeaders()).containsEntry("traceparent", traceparent)
                    .containsEntry("tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
        }
    }

    /** A group-less reader of ferry.invocations placed at its end now: what the gateway writes from here on. */
    private static KafkaConsumer<String, InvocationRequest> invocationsFromNow(String clientId) {
        KafkaConsumer<String, InvocationRequest> invocations = new KafkaClients(config).consumer(null, clientId,
                new StringDeserializer(), new AvroSerdes(config).deserializer(InvocationRequest.class), Map.of());
        String topic = new TopicCatalog(config).invocations();
        List<TopicPartition> partitions = invocations.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        invocations.assign(partitions);
        invocations.seekToEnd(partitions);
        partitions.forEach(invocations::position);
        return invocations;
    }

    /** As the worker writes it: to the request's {@code replyTo}, keyed by invocation id. */
    private static void write(InvocationRequest request, InvocationResult result) throws Exception {
        results.send(new ProducerRecord<>(request.getReplyTo(), request.getInvocationId(), result)).get();
    }

    private static InvocationResult result(InvocationRequest request, int attempt, InvocationStatus status,
            boolean last) {
        Instant now = Instant.now();
        boolean ok = status == InvocationStatus.SUCCEEDED;
        return InvocationResult.newBuilder().setInvocationId(request.getInvocationId()).setTenant(request.getTenant())
                .setFunction(request.getFunction()).setAttempt(attempt).setStatus(status)
                .setOutput(ok ? ByteBuffer.wrap("done-A".getBytes(StandardCharsets.UTF_8)) : null)
                .setContentType("text/plain").setError(ok ? null : "Timed out after " + TIMEOUT_MS + " ms")
                .setFinal$(last).setMemoryMb(128).setSubmittedAt(now).setStartedAt(now).setFinishedAt(now)
                .setDurationMicros(ok ? 1000 : TIMEOUT_MS * 1000L).build();
    }
}

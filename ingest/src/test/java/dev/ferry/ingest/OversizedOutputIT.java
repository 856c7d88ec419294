package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.RetriableFerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.core.config.WorkerConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.metering.MeteringService;
import dev.ferry.metering.Usage;
import dev.ferry.metering.UsageQueryClient;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, part 1, end to end over real HTTP: outputs of 1.1 MiB, 6 MiB and 9 MiB through the gateway, the
 * dispatcher, a worker and metering on the embedded broker. What fits ferry.results (8 MiB) comes back with a 200;
 * what does not is a prompt 502 {@code output_too_large}, billed the time the function really ran, and the
 * function runs once; metering bills every tenant afterwards. A tiny in-test HTTP server plays the HTTP function.
 */
@FerryKafkaTest
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class OversizedOutputIT {

    private static final int MIB = 1024 * 1024;
    /** How long the HTTP function works before it answers: the time a too-large output must still be billed. */
    private static final int RUN_MS = 300;

    @TempDir
    static Path dir;

    private static HttpServer function;
    private static final Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
    private static Platform platform;
    private static MeteringService metering;
    private static Gateway gateway;
    private static HttpApi api;
    private static FerryConfig config;
    private static String acme;
    private static String beta;
    private static String gamma;
    private static String wide;

    @BeforeAll
    static void start(KafkaFixture kafka) throws IOException {
        function = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        // POST /bytes/N answers N bytes of 'a' after RUN_MS, and counts how often it ran.
        function.createContext("/bytes/", exchange -> {
            int n = Integer.parseInt(exchange.getRequestURI().getPath().substring("/bytes/".length()));
            calls.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            sleep(RUN_MS);
            byte[] body = new byte[n];
            Arrays.fill(body, (byte) 'a');
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        function.start();

        TenantAdmin admin = new TenantAdmin(dir.resolve("tenants.json"));
        acme = admin.createTenant("acme");
        beta = admin.createTenant("beta");
        gamma = admin.createTenant("gamma");
        // A tenant allowed synchronous payloads as large as the topics themselves: the envelope tips it over.
        wide = admin.createTenant("wide", new Quota(null, null, null, TopicConfig.DEFAULT_MAX_MESSAGE_BYTES, null));
        config = Platform.config(kafka, dir.resolve("tenants.json"))
                .with(MeteringConfig.WINDOW_MS, 1000L)
                .with(MeteringConfig.GRACE_MS, 1000L)
                .with(MeteringConfig.COMMIT_INTERVAL_MS, 200L)
                .with(MeteringConfig.HTTP_PORT, 0)
                .with(MeteringConfig.STATE_DIR, dir.resolve("metering").toString())
                // The HTTP function is a server on this host: allow loopback, as ferry dev does (issue 12).
                .with(WorkerConfig.HTTP_EGRESS_ALLOW, "127.0.0.0/8,::1");
        platform = Platform.start(config);
        metering = new MeteringService(config).start();
        gateway = new Gateway(config).start();
        api = new HttpApi(gateway.port());
        deploy(acme, "echo", "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
        deploy(beta, "echo", "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
        deploy(gamma, "echo", "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
        deploy(wide, "echo", "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
        for (int n : new int[] {6 * MIB, 9 * MIB}) {
            deploy(acme, "out" + n / MIB, "{\"runtime\": \"HTTP\", \"handler\": \"http://localhost:"
                    + function.getAddress().getPort() + "/bytes/" + n + "\", \"timeoutMs\": 30000}");
        }
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {gateway, metering, platform}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // keep closing the rest
                }
            }
        }
        if (function != null) {
            function.stop(0);
        }
    }

    @Test
    void shouldAnswerWhatFitsAndRefuseWhatDoesNotPromptlyWhenOutputsAreOnePointOneSixAndNineMebibytes() {
        // 1.1 MiB through echo: the input, which crash-looped metering.
        byte[] payload = new byte[1_100_000];
        Arrays.fill(payload, (byte) 'a');
        HttpResponse<byte[]> echo = api.call("POST", "/v1/functions/echo/invoke", acme, payload,
                Map.of("Content-Type", "text/plain"));
        assertThat(echo.statusCode()).as(head(echo)).isEqualTo(200);
        assertThat(echo.body()).isEqualTo(payload);

        // 6 MiB from an HTTP function: under the 8 MiB result limit, so it arrives whole.
        HttpResponse<byte[]> six = api.post("/v1/functions/out6/invoke", acme, "go", "text/plain");
        assertThat(six.statusCode()).as(head(six)).isEqualTo(200);
        assertThat(six.body()).hasSize(6 * MIB);
        assertThat(calls.get(6 * MIB).get()).isEqualTo(1);

        // 9 MiB: over the limit. A 502 that says why, billed the time the function ran, and it ran once.
        HttpResponse<byte[]> nine = api.post("/v1/functions/out9/invoke", acme, "go", "text/plain");
        assertThat(nine.statusCode()).as(head(nine)).isEqualTo(502);
        JsonNode error = json(nine);
        assertThat(error.get("code").asText()).isEqualTo("output_too_large");
        // The runtime stops reading one byte past the limit, so that is the size the error can name.
        assertThat(error.get("error").asText()).contains("at least " + (TopicConfig.DEFAULT_MAX_MESSAGE_BYTES + 1))
                .contains("over the limit of " + TopicConfig.DEFAULT_MAX_MESSAGE_BYTES);
        assertThat(nine.headers().firstValue("Ferry-Status")).contains("FAILED");
        assertThat(Long.parseLong(nine.headers().firstValue("Ferry-Billed-Ms").orElseThrow()))
                .isGreaterThanOrEqualTo(RUN_MS);
        assertThat(calls.get(9 * MIB).get()).isEqualTo(1);
        String id = nine.headers().firstValue("Ferry-Invocation-Id").orElseThrow();
        JsonNode stored = json(api.get("/v1/invocations/" + id, acme));
        assertThat(stored.get("status").asText()).isEqualTo("FAILED");
        assertThat(stored.get("attempt").asInt()).isEqualTo(1);

        // A second tenant's call after all that, and metering bills everyone: nothing is stuck behind the big ones.
        assertThat(api.post("/v1/functions/echo/invoke", beta, "hi", "text/plain").statusCode()).isEqualTo(200);
        UsageQueryClient usage = new UsageQueryClient(metering.url());
        Instant from = Instant.now().minus(Duration.ofMinutes(10));
        Instant to = Instant.now().plus(Duration.ofMinutes(10));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(RetriableFerryException.class)
                .untilAsserted(() -> {
                    Map<String, Usage> acmeUsage = byFunction(usage.usage("acme", from, to));
                    assertThat(acmeUsage.keySet()).containsExactlyInAnyOrder("echo", "out6", "out9");
                    assertThat(byFunction(usage.usage("beta", from, to))).containsKey("echo");
                    assertThat(acmeUsage.get("out9").invocations()).isEqualTo(1);
                    assertThat(acmeUsage.get("out9").failures()).isEqualTo(1);
                    assertThat(acmeUsage.get("out9").billedMillis()).isGreaterThanOrEqualTo(RUN_MS);
                    assertThat(acmeUsage.get("echo").invocations()).isEqualTo(1);
                    assertThat(byFunction(usage.usage("beta", from, to)).get("echo").invocations()).isEqualTo(1);
                });
        assertThat(calls.get(9 * MIB).get()).as("the too-large attempt never runs again").isEqualTo(1);
    }

    @Test
    void shouldKeepAnsweringCallsWhenSevenMebibyteRecordsAreProducedStraightToTheResultTopic(KafkaFixture kafka)
            throws Exception {
        String results = new TopicCatalog(config).results();
        InvocationResult big = InvocationResult.newBuilder()
                .setInvocationId(UUID.randomUUID().toString()).setTenant("gamma").setFunction("echo").setAttempt(1)
                .setStatus(InvocationStatus.SUCCEEDED).setOutput(ByteBuffer.wrap(new byte[7 * MIB]))
                .setMemoryMb(128).setSubmittedAt(Instant.now()).setStartedAt(Instant.now())
                .setFinishedAt(Instant.now()).setDurationMicros(1000).build();
        byte[] garbage = new byte[7 * MIB];
        Arrays.fill(garbage, (byte) 'z');
        Map<String, Object> props = new HashMap<>(kafka.clientProperties());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * MIB);
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(results, big.getInvocationId(),
                    new AvroSerdes(config).serializer(InvocationResult.class).serialize(results, big))).get();
            raw.send(new ProducerRecord<>(results, "garbage", garbage)).get();
        }

        HttpResponse<byte[]> next = api.post("/v1/functions/echo/invoke", gamma, "after", "text/plain");
        assertThat(next.statusCode()).as(head(next)).isEqualTo(200);
        assertThat(text(next)).isEqualTo("after");
        UsageQueryClient usage = new UsageQueryClient(metering.url());
        Instant from = Instant.now().minus(Duration.ofMinutes(10));
        Instant to = Instant.now().plus(Duration.ofMinutes(10));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(RetriableFerryException.class)
                .untilAsserted(() -> {
                    // Both billed: the 7 MiB result (any Kafka client may write results) and the call after it.
                    Map<String, Usage> gammaUsage = byFunction(usage.usage("gamma", from, to));
                    assertThat(gammaUsage).containsKey("echo");
                    assertThat(gammaUsage.get("echo").invocations()).isEqualTo(2);
                });
    }

    @Test
    void shouldAnswer413WhenTheBrokerRefusesAnInvocationForItsSize() {
        byte[] payload = new byte[TopicConfig.DEFAULT_MAX_MESSAGE_BYTES - 16];
        new java.util.Random(5).nextBytes(payload); // incompressible, so the broker's limit applies as is

        HttpResponse<byte[]> response = api.call("POST", "/v1/functions/echo/invoke", wide, payload,
                Map.of("Content-Type", "application/octet-stream"));

        assertThat(response.statusCode()).as(head(response)).isEqualTo(413);
        assertThat(json(response).get("code").asText()).isEqualTo("payload_too_large");
        assertThat(json(response).get("error").asText()).contains("topic.max.message.bytes");
        assertThat(api.post("/v1/functions/echo/invoke", wide, "small", "text/plain").statusCode()).isEqualTo(200);
    }

    private static Map<String, Usage> byFunction(List<Usage> rows) {
        Map<String, Usage> sums = new HashMap<>();
        for (Usage u : rows) {
            sums.merge(u.function(), u, (a, b) -> new Usage(a.tenant(), a.function(), a.windowStart(),
                    b.windowEnd(), a.invocations() + b.invocations(), a.failures() + b.failures(),
                    a.billedMillis() + b.billedMillis(), a.mbMillis() + b.mbMillis(), a.gbSeconds().add(b.gbSeconds()),
                    a.cost().add(b.cost()), a.availability(), a.successRatio()));
        }
        return sums;
    }

    private static void deploy(String key, String name, String body) {
        HttpResponse<byte[]> response = api.put("/v1/functions/" + name, key, body);
        assertThat(response.statusCode()).as(text(response)).isIn(200, 201);
    }

    private static String head(HttpResponse<byte[]> response) {
        String body = text(response);
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

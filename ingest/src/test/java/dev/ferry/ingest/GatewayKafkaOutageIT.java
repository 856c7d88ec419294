package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.config.ManagementConfig;
import dev.ferry.embedded.EmbeddedKafka;
import dev.ferry.embedded.EmbeddedSchemaRegistry;
import dev.ferry.ingest.internal.InvokeRoutes;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway whose cluster goes away answers every call within its documented bound (a tester, session 15, froze
 * the broker: a synchronous and an asynchronous call got no answer in 60 s, then both ran, and the public
 * {@code /readyz} stopped answering within 2 s). The cluster here is the test's own, so it can be stopped.
 */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class GatewayKafkaOutageIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient PROBES = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The function's timeoutMs plus the margin: the deadline of a synchronous call. */
    private static final long TIMEOUT_MS = 1_000;
    private static final long MARGIN_MS = 2_000;
    /** Room for a loaded machine past each bound. */
    private static final long SLACK_MS = 3_000;

    @TempDir
    Path dir;

    private String key;

    /** The tester's outage: the broker hangs (connections open, nothing answers), so nothing is certain. */
    @Test
    void shouldAnswerEveryCallWithinItsBoundAndReadyzAtOnceWhileTheBrokerHangs() throws Exception {
        int brokerPort;
        try (ServerSocket free = new ServerSocket(0)) {
            brokerPort = free.getLocalPort();
        }
        try (FreezingProxy proxy = new FreezingProxy(brokerPort);
                EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().port(brokerPort)
                        .brokerProperty("advertised.listeners", "PLAINTEXT://localhost:" + proxy.port()));
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("localhost:" + proxy.port(), 0);
                Gateway gateway = new Gateway(config("localhost:" + proxy.port(), registry.url())).start()) {
            HttpApi api = prepare(gateway);

            proxy.freeze();
            // The synchronous call: 504 `timeout` naming the id at its deadline, although nothing acknowledged it.
            // The asynchronous call: at ACK_WAIT, 504 `unconfirmed` naming the id, which stays pending here: the
            // request may still be written (the broker reads what it buffered when it resumes).
            HttpResponse<byte[]> answer = asyncAnswerOfCallsDuringTheOutage(api, gateway);
            assertThat(answer.statusCode()).as(text(answer)).isEqualTo(504);
            assertThat(json(answer).get("code").asText()).isEqualTo("unconfirmed");
            String id = json(answer).get("invocationId").asText();
            assertThat(answer.headers().firstValue("Location")).hasValue("/v1/invocations/" + id);
            HttpResponse<byte[]> pending = api.get("/v1/invocations/" + id, key);
            assertThat(pending.statusCode()).as(text(pending)).isEqualTo(202);
            assertThat(json(pending).get("status").asText()).isEqualTo("PENDING");
            proxy.thaw();
        }
    }

    /** The broker is gone (stopped): the producer has no metadata, so a send is refused before it leaves. */
    @Test
    void shouldAnswerEveryCallWithinItsBoundAndReadyzAtOnceWhenTheBrokerIsStopped() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0);
                Gateway gateway = new Gateway(config(kafka.bootstrapServers(), registry.url())).start()) {
            HttpApi api = prepare(gateway);

            kafka.close();
            // The synchronous call's deadline comes before the producer's refusal (max.block.ms): pending as far as
            // the caller knows. The asynchronous one, within its bound, whichever the producer can tell: a plain
            // refusal when it had lost the topic's metadata with the broker (certainly not written), else
            // `unconfirmed` naming the id.
            HttpResponse<byte[]> answer = asyncAnswerOfCallsDuringTheOutage(api, gateway);
            if (answer.statusCode() == 503) {
                assertThat(json(answer).get("code").asText()).as(text(answer)).isEqualTo("unavailable");
                assertThat(json(answer).has("invocationId")).isFalse();
            } else {
                assertThat(answer.statusCode()).as(text(answer)).isEqualTo(504);
                assertThat(json(answer).get("code").asText()).isEqualTo("unconfirmed");
                assertThat(json(answer).get("invocationId").asText()).isNotBlank();
            }
        } finally {
            kafka.close();
        }
    }

    private FerryConfig config(String bootstrap, String registryUrl) {
        key = new TenantAdmin(dir.resolve("tenants.json")).createTenant("acme");
        Map<String, Object> settings = new HashMap<>();
        settings.put(FerryConfig.BOOTSTRAP_SERVERS, bootstrap);
        settings.put(FerryConfig.SCHEMA_REGISTRY_URL, registryUrl);
        settings.put("topic.partitions", 1);
        settings.put(GatewayConfig.PORT, 0);
        settings.put("gateway.tenants.file", dir.resolve("tenants.json").toString());
        settings.put(GatewayConfig.SYNC_WAIT_MARGIN_MS, MARGIN_MS);
        settings.put(GatewayConfig.QUOTA_REPORT_INTERVAL_MS, 0L);
        settings.put(ManagementConfig.PORT, 0);
        return new FerryConfig(settings);
    }

    /** Deploys {@code slow} and makes one call, so the producer knows the topics' leaders as in service. */
    private HttpApi prepare(Gateway gateway) {
        HttpApi api = new HttpApi(gateway.port());
        // No worker: nothing runs; what is measured is how the gateway answers.
        HttpResponse<byte[]> deployed = api.put("/v1/functions/slow", key,
                "{\"runtime\": \"JAVA\", \"handler\": \"sleep\", \"timeoutMs\": " + TIMEOUT_MS + "}");
        assertThat(deployed.statusCode()).as(text(deployed)).isEqualTo(201);
        HttpResponse<byte[]> warm = api.post("/v1/functions/slow/invocations", key, "warm", "text/plain");
        assertThat(warm.statusCode()).as(text(warm)).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> readyz(gateway.port()).statusCode() == 200);
        return api;
    }

    /** Every probe answers within 2 s (else it throws), and soon says 503 naming Kafka. */
    private static void assertReadyzAnswersAtOnceAndSaysKafka(Gateway gateway) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            HttpResponse<String> ready = readyz(gateway.port());
            assertThat(ready.statusCode()).isEqualTo(503);
            JsonNode checks = JSON.readTree(ready.body()).get("checks");
            assertThat(checks.get("kafka").asText()).contains("Kafka does not answer");
        });
        for (int i = 0; i < 5; i++) {
            assertThatCode(() -> readyz(gateway.port())).doesNotThrowAnyException();
        }
    }

    /**
     * Makes a synchronous and an asynchronous call at once while Kafka does not answer; checks that every probe
     * answers at once and says Kafka, and that the synchronous call is answered 504 {@code timeout} naming its id by
     * its deadline; returns the asynchronous call's answer, given within {@link InvokeRoutes#ACK_WAIT}.
     */
    private HttpResponse<byte[]> asyncAnswerOfCallsDuringTheOutage(HttpApi api, Gateway gateway) throws Exception {
        CompletableFuture<HttpResponse<byte[]>> sync = call(() ->
                api.post("/v1/functions/slow/invoke", key, "sync", "text/plain"));
        CompletableFuture<HttpResponse<byte[]>> async = call(() ->
                api.post("/v1/functions/slow/invocations", key, "async", "text/plain"));
        long began = System.nanoTime();
        assertReadyzAnswersAtOnceAndSaysKafka(gateway);
        assertPendingTimeout(sync.get(TIMEOUT_MS + MARGIN_MS + SLACK_MS, TimeUnit.MILLISECONDS));
        return async.get(remaining(began, InvokeRoutes.ACK_WAIT.toMillis() + SLACK_MS), TimeUnit.MILLISECONDS);
    }

    private static void assertPendingTimeout(HttpResponse<byte[]> answer) {
        assertThat(answer.statusCode()).as(text(answer)).isEqualTo(504);
        assertThat(json(answer).get("code").asText()).isEqualTo("timeout");
        String id = json(answer).get("invocationId").asText();
        assertThat(answer.headers().firstValue("Location")).hasValue("/v1/invocations/" + id);
    }

    private static long remaining(long beganNanos, long boundMs) {
        return Math.max(1, boundMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beganNanos));
    }

    /** On a thread of its own: the two calls are made at once. */
    private static CompletableFuture<HttpResponse<byte[]>> call(Supplier<HttpResponse<byte[]>> call) {
        CompletableFuture<HttpResponse<byte[]>> answer = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                answer.complete(call.get());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        }, "outage-call");
        thread.setDaemon(true);
        thread.start();
        return answer;
    }

    /** A probe as a balancer sends it: given up after 2 s. */
    private static HttpResponse<String> readyz(int port) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/readyz"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        return PROBES.send(request, HttpResponse.BodyHandlers.ofString());
    }
}

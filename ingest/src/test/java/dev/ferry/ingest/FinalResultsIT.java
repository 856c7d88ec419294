package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results that say they are final, and why (issue 13 part 1), as a caller sees them over real HTTP with the real
 * dispatcher and worker behind: a function that cannot run answers at once instead of after its timeout, an
 * envelope too large for the work topic answers 413, and an invocation that never ran is billed 0 ms (issue 12).
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FinalResultsIT {

    /** Long, so that an answer that waited for the timeout (as before issue 13) is told apart from one that did not. */
    private static final int TIMEOUT_MS = 30_000;
    /** The dispatcher's producer refuses records above this, so a 100 KiB payload fits every limit but its envelope. */
    private static final int WORK_RECORD_LIMIT = 64 * 1024;
    private static final String BIG = "a".repeat(100 * 1024);

    @TempDir
    static Path dir;

    private static Platform platform;
    private static Gateway gateway;
    private static HttpApi api;
    private static String acme;

    @BeforeAll
    static void start(KafkaFixture kafka) {
        acme = new TenantAdmin(dir.resolve("tenants.json")).createTenant("acme");
        FerryConfig config = Platform.config(kafka, dir.resolve("tenants.json"));
        // Only the pipeline behind the gateway has the small record limit: the gateway itself accepts the payload.
        platform = Platform.start(config.with("kafka.max.request.size", WORK_RECORD_LIMIT));
        gateway = new Gateway(config).start();
        api = new HttpApi(gateway.port());
        deploy("missing", "{\"runtime\": \"JAVA\", \"handler\": \"com.example.NoSuchFunction\", \"timeoutMs\": "
                + TIMEOUT_MS + ", \"maxAttempts\": 3}");
        deploy("echo", "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    private static void deploy(String name, String body) {
        HttpResponse<byte[]> response = api.put("/v1/functions/" + name, acme, body);
        assertThat(response.statusCode()).as(text(response)).isIn(200, 201);
    }

    @Test
    void shouldAnswer502BeforeTheTimeoutWhenTheHandlerClassDoesNotExist() {
        long started = System.nanoTime();
        HttpResponse<byte[]> response = api.post("/v1/functions/missing/invoke", acme, "hi", "text/plain");
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(response.statusCode()).as(text(response)).isEqualTo(502);
        // The answer's code is the result's reasonCode: the function cannot run, it did not fail.
        assertThat(json(response).get("code").asText()).isEqualTo("function_unavailable");
        assertThat(json(response).get("error").asText()).contains("com.example.NoSuchFunction");
        assertThat(response.headers().firstValue("Ferry-Status")).contains("FAILED");
        assertThat(response.headers().firstValue("Ferry-Billed-Ms")).as("no user code ran").contains("0");
        // No retry can load the class: the first attempt's result is final, so nobody waits for the timeout.
        assertThat(took).as("answered before the function's timeout").isLessThan(Duration.ofMillis(TIMEOUT_MS));
    }

    @Test
    void shouldShowTheFirstAttemptAsFinalWithItsReasonWhenTheHandlerClassDoesNotExist() {
        HttpResponse<byte[]> accepted = api.post("/v1/functions/missing/invocations", acme, "hi", "text/plain");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String id = json(accepted).get("invocationId").asText();

        await().atMost(Duration.ofSeconds(TIMEOUT_MS / 1000 - 5)).untilAsserted(() -> {
            HttpResponse<byte[]> done = api.get("/v1/invocations/" + id, acme);
            assertThat(done.statusCode()).as(text(done)).isEqualTo(200);
            JsonNode result = json(done);
            assertThat(result.get("status").asText()).isEqualTo("FAILED");
            assertThat(result.get("attempt").asInt()).isEqualTo(1);
            assertThat(result.get("final").asBoolean()).isTrue();
            assertThat(result.get("reasonCode").asText()).isEqualTo("function_unavailable");
            assertThat(result.get("billedMs").asLong()).isZero();
        });
    }

    @Test
    void shouldAnswer413WithTheJsonErrorShapeWhenTheEnvelopeIsOverTheWorkTopicsLimit() {
        HttpResponse<byte[]> response = api.post("/v1/functions/echo/invoke", acme, BIG, "text/plain");

        assertThat(response.statusCode()).as(text(response)).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode error = json(response);
        assertThat(error.get("code").asText()).isEqualTo("payload_too_large");
        assertThat(error.get("error").asText()).isNotBlank();
        assertThat(response.headers().firstValue("Ferry-Status")).contains("REJECTED");
        // The function works: the same call with a small payload runs.
        assertThat(api.post("/v1/functions/echo/invoke", acme, "small", "text/plain").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldBillZeroMillisecondsWhenTheInvocationWasRejected() {
        HttpResponse<byte[]> sync = api.post("/v1/functions/echo/invoke", acme, BIG, "text/plain");
        assertThat(sync.headers().firstValue("Ferry-Status")).contains("REJECTED");
        assertThat(sync.headers().firstValue("Ferry-Billed-Ms")).contains("0");

        HttpResponse<byte[]> accepted = api.post("/v1/functions/echo/invocations", acme, BIG, "text/plain");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String id = json(accepted).get("invocationId").asText();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<byte[]> done = api.get("/v1/invocations/" + id, acme);
            assertThat(done.statusCode()).as(text(done)).isEqualTo(200);
            JsonNode result = json(done);
            assertThat(result.get("status").asText()).isEqualTo("REJECTED");
            assertThat(result.get("billedMs").asLong()).isZero();
            assertThat(result.get("final").asBoolean()).isTrue();
            assertThat(result.get("reasonCode").asText()).isEqualTo("payload_too_large");
        });
    }
}

package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/design.md's HTTP API for invocations, over real HTTP with the real pipeline behind ({@link GatewayApiFixture}):
 * synchronous calls and the statuses of their failures, asynchronous ones and their results, on either gateway.
 */
class GatewayInvocationsApiIT extends GatewayApiTestBase {

    GatewayInvocationsApiIT(GatewayApiFixture shared) {
        super(shared);
    }

    @Test
    void shouldAnswerWithTheOutputWhenInvokedSynchronously() {
        HttpResponse<byte[]> response = api.call("POST", "/v1/functions/echo/invoke", acme,
                HttpApi.bytes("{\"hello\": 1}"), Map.of("Content-Type", "application/json", "Ferry-Key", "k1"));

        assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
        assertThat(text(response)).isEqualTo("{\"hello\": 1}");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        assertThat(response.headers().firstValue("Ferry-Status")).contains("SUCCEEDED");
        assertThat(response.headers().firstValue("Ferry-Invocation-Id")).isPresent();
        assertThat(Long.parseLong(response.headers().firstValue("Ferry-Billed-Ms").orElseThrow())).isPositive();
    }

    /** The demo's '{not json' to sleep was retried and billed 3 times and answered with Jackson's parse error. */
    @Test
    void shouldAnswerAtOnceInPlainWordsWhenABuiltInRefusesAMalformedPayload() {
        HttpResponse<byte[]> response = api.post("/v1/functions/picky/invoke", acme, "{not json", "application/json");

        assertThat(response.statusCode()).as(text(response)).isEqualTo(502);
        assertThat(json(response).get("code").asText()).isEqualTo("not_retriable");
        assertThat(json(response).get("error").asText()).contains("not valid JSON").contains("{\"ms\": 100}")
                .doesNotContain("Exception").doesNotContain("Source");
        String id = response.headers().firstValue("Ferry-Invocation-Id").orElseThrow();
        JsonNode result = json(api.get("/v1/invocations/" + id, acme));
        assertThat(result.get("attempt").asInt()).as("maxAttempts 3, yet no retry: " + result).isEqualTo(1);
    }

    @Test
    void shouldAnswer502WithTheLastAttemptWhenTheFunctionKeepsFailing() {
        HttpResponse<byte[]> response = api.post("/v1/functions/fail/invoke", acme, "x", "text/plain");

        assertThat(response.statusCode()).as(text(response)).isEqualTo(502);
        assertThat(response.headers().firstValue("Ferry-Status")).contains("FAILED");
        assertThat(json(response).get("code").asText()).isEqualTo("function_failed");
        String id = response.headers().firstValue("Ferry-Invocation-Id").orElseThrow();
        assertThat(json(response).get("invocationId").asText()).isEqualTo(id);
        assertThat(response.headers().firstValue("Location")).contains("/v1/invocations/" + id);
        // only the final attempt answers: the result on record is attempt 2 of 2, on any gateway
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(json(api.get("/v1/invocations/" + id, acme)).get("attempt").asInt()).isEqualTo(2);
            assertThat(json(new HttpApi(bare.port()).get("/v1/invocations/" + id, acme)).get("attempt").asInt())
                    .isEqualTo(2);
        });
    }

    /**
     * docs/design.md section 6: a 504 comes "with the invocation id and Location". A final TIMED_OUT answered only
     * the Ferry-Invocation-Id header (a tester, session 9); its Location now answers on any gateway.
     */
    @Test
    void shouldAnswer504WithTheIdAndALocationAnyGatewayAnswersWhenTheFunctionTimesOut() {
        HttpResponse<byte[]> response = api.post("/v1/functions/sleep/invoke", acme, "{\"ms\": 5000}",
                "application/json");

        assertThat(response.statusCode()).as(text(response)).isEqualTo(504);
        assertThat(response.headers().firstValue("Ferry-Status")).contains("TIMED_OUT");
        assertThat(json(response).get("code").asText()).isEqualTo("function_timed_out");
        String id = response.headers().firstValue("Ferry-Invocation-Id").orElseThrow();
        assertThat(json(response).get("invocationId").asText()).isEqualTo(id);
        String location = response.headers().firstValue("Location").orElseThrow();
        assertThat(location).isEqualTo("/v1/invocations/" + id);
        for (HttpApi any : List.of(api, new HttpApi(bare.port()))) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                HttpResponse<byte[]> fetched = any.get(location, acme);
                assertThat(fetched.statusCode()).as(text(fetched)).isEqualTo(200);
                assertThat(json(fetched).get("status").asText()).isEqualTo("TIMED_OUT");
            });
        }
    }

    @Test
    void shouldAnswer404WhenTheFunctionDoesNotExist() {
        HttpResponse<byte[]> response = api.post("/v1/functions/nothing/invoke", acme, "x", "text/plain");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("code").asText()).isEqualTo("not_found");
        assertThat(api.get("/v1/no/such/route", acme).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldAnswerWithTheFittingStatusWhenThePipelineRejectsTheInvocation() {
        HttpResponse<byte[]> response = api.post("/v1/functions/echo/invoke", acme, "a".repeat(5000), "text/plain");

        assertThat(response.statusCode()).as(text(response)).isEqualTo(413);
        assertThat(response.headers().firstValue("Ferry-Status")).contains("REJECTED");
        assertThat(json(response).get("error").asText()).contains("exceeds the limit");
        assertThat(json(response).get("invocationId").asText())
                .isEqualTo(response.headers().firstValue("Ferry-Invocation-Id").orElseThrow());
    }

    @Test
    void shouldAcceptAnAsynchronousInvocationThenServeItsResult() {
        HttpResponse<byte[]> accepted = api.post("/v1/functions/echo/invocations", acme, "later", "text/plain");

        assertThat(accepted.statusCode()).isEqualTo(202);
        String id = json(accepted).get("invocationId").asText();
        assertThat(accepted.headers().firstValue("Location")).contains("/v1/invocations/" + id);

        HttpResponse<byte[]> first = api.get("/v1/invocations/" + id, acme);
        assertThat(first.statusCode()).isIn(200, 202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<byte[]> done = api.get("/v1/invocations/" + id, acme);
            assertThat(done.statusCode()).isEqualTo(200);
            assertThat(json(done).get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(json(done).get("output").asText()).isEqualTo("later");
        });
        assertThat(api.get("/v1/invocations/not-an-id", acme).statusCode()).isEqualTo(404);
    }
}

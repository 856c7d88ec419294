package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.invocation.UsageGranularity;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * docs/design.md's HTTP API as tenants meet it, over real HTTP with the real pipeline behind
 * ({@link GatewayApiFixture}): their keys, what one tenant sees of another, their quotas (payload size, request rate,
 * invocations in flight), their usage and scaling; and the endpoints of no tenant (health, readiness, the front page,
 * metrics).
 */
class GatewayTenancyApiIT extends GatewayApiTestBase {

    GatewayTenancyApiIT(GatewayApiFixture shared) {
        super(shared);
    }

    @Test
    void shouldAnswer401WhenTheKeyIsMissingOrUnknown() {
        for (HttpResponse<byte[]> response : List.of(api.get("/v1/functions", null),
                api.get("/v1/functions", "ferry_not-a-key"),
                api.post("/v1/functions/echo/invoke", "ferry_not-a-key", "hi", "text/plain"))) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(json(response).get("code").asText()).isEqualTo("unauthorized");
            assertThat(text(response)).doesNotContain("ferry_not-a-key");
        }
    }

    @Test
    void shouldAnswer413WhenThePayloadIsOverTheTenantsLimit() {
        String justRight = "a".repeat(1024);
        String tooBig = "a".repeat(1025);

        assertThat(api.post("/v1/functions/echo/invoke", tiny, justRight, "text/plain").statusCode()).isEqualTo(200);
        HttpResponse<byte[]> sync = api.post("/v1/functions/echo/invoke", tiny, tooBig, "text/plain");
        HttpResponse<byte[]> async = api.post("/v1/functions/echo/invocations", tiny, "a".repeat(513), "text/plain");

        assertThat(sync.statusCode()).isEqualTo(413);
        assertThat(json(sync).get("code").asText()).isEqualTo("payload_too_large");
        assertThat(async.statusCode()).isEqualTo(413);
    }

    @Test
    void shouldAnswer429WithRetryAfterWhenOverTheRequestRate() {
        assertThat(api.get("/v1/functions", slow).statusCode()).isEqualTo(200);
        assertThat(api.get("/v1/functions", slow).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> third = api.get("/v1/functions", slow);

        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(json(third).get("code").asText()).isEqualTo("rate_limited");
        assertThat(Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 10L);
    }

    @Test
    void shouldAnswer429WhenTheTenantHasTooManyInvocationsInFlight() {
        CompletableFuture<HttpResponse<byte[]>> first = CompletableFuture.supplyAsync(() ->
                api.post("/v1/functions/sleep/invoke", narrow, "{\"ms\": 3000}", "application/json"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<byte[]> second = api.post("/v1/functions/sleep/invoke", narrow, "{\"ms\": 1}",
                    "application/json");
            assertThat(second.statusCode()).isEqualTo(429);
            assertThat(json(second).get("code").asText()).isEqualTo("concurrency_limited");
            assertThat(second.headers().firstValue("Retry-After")).isPresent();
        });
        assertThat(first.join().statusCode()).isEqualTo(200);
    }

    @Test
    void shouldHideEverythingOfATenantFromAnother() {
        HttpResponse<byte[]> accepted = api.post("/v1/functions/echo/invocations", acme, "private", "text/plain");
        String id = json(accepted).get("invocationId").asText();

        assertThat(json(api.get("/v1/functions", beta)).get("functions"))
                .noneMatch(f -> f.get("name").asText().equals("echo"));
        assertThat(api.get("/v1/functions/echo", beta).statusCode()).isEqualTo(404);
        assertThat(api.post("/v1/functions/echo/invoke", beta, "x", "text/plain").statusCode()).isEqualTo(404);
        assertThat(api.post("/v1/functions/echo/invocations", beta, "x", "text/plain").statusCode()).isEqualTo(404);
        assertThat(api.delete("/v1/functions/echo", beta).statusCode()).isEqualTo(404);
        assertThat(api.get("/v1/invocations/" + id, beta).statusCode()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(api.get("/v1/invocations/" + id, acme).statusCode()).isEqualTo(200));
        assertThat(api.get("/v1/invocations/" + id, beta).statusCode()).isEqualTo(404);
        assertThat(api.get("/v1/functions/echo", acme).statusCode()).isEqualTo(200);

        HttpResponse<byte[]> usage = api.get("/v1/usage?function=echo", beta);
        assertThat(usage.statusCode()).isEqualTo(200);
        assertThat(json(usage).get("tenant").asText()).isEqualTo("beta");
        assertThat(json(usage).get("records")).allMatch(r -> !r.toString().contains("someone-else"));
        assertThat(usageAskedFor).contains("beta").doesNotContain("someone-else");
    }

    @Test
    void shouldServeTheTenantsUsageAndScalingWhenSourcesAreWired() {
        HttpResponse<byte[]> usage = api.get("/v1/usage?from=2026-01-01T00:00:00Z&to=1767312000000", acme);

        assertThat(usage.statusCode()).isEqualTo(200);
        JsonNode record = json(usage).get("records").get(0);
        assertThat(record.get("function").asText()).isEqualTo("echo");
        assertThat(record.get("cost").asText()).isEqualTo("0.0000012345");
        assertThat(json(usage).get("records")).hasSize(1);
        // One layout for usage rows, the gateway's as metering's own (issue 13, part 5).
        assertThat(record.fieldNames()).toIterable().containsExactly("tenant", "function", "windowStart", "windowEnd",
                "invocations", "failures", "billedMillis", "mbMillis", "gbSeconds", "cost", "availability",
                "successRatio");
        assertThat(json(usage).get("granularity").asText()).isEqualTo("window");
        assertThat(api.get("/v1/usage?from=yesterday", acme).statusCode()).isEqualTo(400);

        HttpResponse<byte[]> daily = api.get("/v1/usage?granularity=DAY", acme);
        assertThat(daily.statusCode()).isEqualTo(200);
        assertThat(json(daily).get("granularity").asText()).isEqualTo("day");
        assertThat(granularitiesAskedFor).contains(UsageGranularity.DAY);
        HttpResponse<byte[]> weekly = api.get("/v1/usage?granularity=week", acme);
        assertThat(weekly.statusCode()).isEqualTo(400);
        assertThat(json(weekly).get("error").asText()).contains("granularity must be one of window, hour, day");

        HttpResponse<byte[]> scaling = api.get("/v1/scaling", acme);
        assertThat(scaling.statusCode()).isEqualTo(200);
        assertThat(json(scaling).get("functions").get(0).get("desiredReplicas").asInt()).isEqualTo(3);
    }

    @Test
    void shouldAnswer503NotReadyWhenUsageAndScalingAreNotWired() {
        HttpApi unwired = new HttpApi(bare.port());
        for (HttpResponse<byte[]> response : List.of(unwired.get("/v1/usage", acme), unwired.get("/v1/scaling", acme))) {
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(json(response).get("code").asText()).isEqualTo("not_ready");
        }
    }

    @Test
    void shouldServeHealthReadinessMetricsAndTheFrontPage() {
        assertThat(api.get("/healthz", null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/readyz", null).statusCode() == 200);
        assertThat(json(api.get("/readyz", null)).get("status").asText()).isEqualTo("ready");
        api.post("/v1/functions/echo/invoke", acme, "count me", "text/plain");

        // Issue 12: metrics name every tenant, so they are served on the management listener only.
        assertThat(api.get("/metrics", null).statusCode()).isEqualTo(404);
        assertThat(api.get("/metrics", acme).statusCode()).isEqualTo(404);
        assertThat(platform.management().get("/metrics", null).statusCode()).isEqualTo(401);
        HttpResponse<byte[]> metrics = platform.management().get("/metrics", Platform.OPERATOR_TOKEN);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(text(metrics)).contains("ferry_gateway_requests_total").contains("ferry_gateway_invocations_total");
        HttpResponse<byte[]> page = api.get("/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(text(page)).contains("Ferry");
    }
}

package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static dev.ferry.ingest.TriggerApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One error shape for every error answer of the public API, over real HTTP: {@code error}, {@code code} and
 * {@code errors}, the list of problems, which is {@code [error]} when there is one. A tester found answers without
 * {@code errors} (an invalid function or trigger name, the replica and partition budgets, 413, a bad
 * {@code Ferry-Key}) beside validation 400s that had it; and messages that named Jackson's settings, a type error
 * without its range, a filter's number reported as a string.
 */
@FerryKafkaTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GatewayErrorShapeIT {

    @TempDir
    static Path dir;

    private static TriggerApiFixture fixture;
    private static HttpApi api;
    private static String beta;
    /** A tenant whose payloads may be 16 bytes. */
    private static String tiny;

    @BeforeAll
    static void start(KafkaFixture kafka) {
        tiny = new TenantAdmin(dir.resolve("tenants.json")).createTenant("tiny",
                new Quota(null, null, null, 16, 16));
        fixture = TriggerApiFixture.start(kafka, dir);
        api = fixture.api;
        beta = fixture.beta;
        HttpResponse<byte[]> echo = api.put("/v1/functions/echo", tiny, "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
        assertThat(echo.statusCode()).as(text(echo)).isIn(200, 201);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void shouldListTheSingleProblemUnderErrorsWhenANameIsInvalid() {
        assertSingleProblem(api.put("/v1/functions/x.y", beta, "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}"),
                400, "bad_request");
        assertSingleProblem(api.put("/v1/triggers/Bad.Name", beta, body("echo", fixture.betaOrders, "")), 400,
                "invalid_trigger");
    }

    @Test
    void shouldListTheSingleProblemUnderErrorsWhenTheReplicaBudgetRefusesMinReplicas() {
        assertSingleProblem(api.put("/v1/functions/hoard", beta, "{\"runtime\": \"JAVA\", \"handler\": \"sleep\", "
                + "\"minReplicas\": 1000, \"maxReplicas\": 1000}"), 400, "invalid_function");
        // A trigger's pool pins its function's minimum once more (PinnedReplicas): a budget of 5 holds 4.
        try (Gateway small = new Gateway(fixture.config.with("autoscaler.max.total.replicas", 5)).start()) {
            HttpApi smallApi = new HttpApi(small.port());
            assertThat(smallApi.put("/v1/functions/pinned3", beta, "{\"runtime\": \"JAVA\", \"handler\": \"echo\", "
                    + "\"minReplicas\": 3}").statusCode()).isEqualTo(201);
            try {
                assertSingleProblem(smallApi.put("/v1/triggers/pin", beta, body("pinned3", fixture.betaOrders, "")),
                        400, "invalid_trigger");
            } finally {
                smallApi.delete("/v1/triggers/pin", beta);
                assertThat(smallApi.delete("/v1/functions/pinned3", beta).statusCode()).isEqualTo(204);
            }
        }
    }

    @Test
    void shouldListTheSingleProblemUnderErrorsWhenThePartitionBudgetRefusesADeploy() {
        try (Gateway small = new Gateway(fixture.config.with(TopicConfig.WORK_MAX_TOTAL_PARTITIONS, 1)).start()) {
            HttpResponse<byte[]> refused = new HttpApi(small.port()).put("/v1/functions/wide", beta,
                    "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": 50}");
            assertSingleProblem(refused, 400, "invalid_function");
            assertThat(json(refused).get("error").asText()).contains("partition");
        }
    }

    @Test
    void shouldListTheSingleProblemUnderErrorsWhenAPayloadOrFerryKeyIsRefused() {
        assertSingleProblem(api.post("/v1/functions/echo/invoke", tiny, "x".repeat(100), "text/plain"), 413,
                "payload_too_large");
        HttpResponse<byte[]> longKey = api.post("/v1/functions/echo/invoke", beta, "hi", "text/plain",
                Map.of("Ferry-Key", "k".repeat(1025)));
        assertSingleProblem(longKey, 400, "bad_request");
        assertThat(json(longKey).get("error").asText()).contains("Ferry-Key must be 1 to 1024 characters");
    }

    @Test
    void shouldListTheSingleProblemUnderErrorsWhenTheWebFrameworkRefuses() {
        assertSingleProblem(api.get("/v2/nothing", beta), 404, "not_found");
        assertSingleProblem(api.call("PATCH", "/v1/functions/echo", beta, HttpApi.bytes("{}"), Map.of()), 405,
                "method_not_allowed");
        assertSingleProblem(api.get("/v1/functions", null), 401, "unauthorized");
    }

    @Test
    void shouldNameTheRangeAndTheValueWhenAnIntegerFieldHasAnotherType() {
        for (String sent : List.of("\"512\"", "512.5", "512.0", "1e3", "true")) {
            HttpResponse<byte[]> refused = api.put("/v1/functions/typed", beta,
                    "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"memoryMb\": " + sent + "}");
            assertSingleProblem(refused, 400, "invalid_function");
            assertThat(json(refused).get("error").asText()).as(sent)
                    .startsWith("memoryMb must be an integer between 128 and 10240, got ");
        }
        assertThat(json(api.put("/v1/functions/typed", beta, "{\"runtime\": \"JAVA\", \"handler\": \"echo\", "
                + "\"memoryMb\": \"512\"}")).get("error").asText()).endsWith("got \"512\"");
    }

    @Test
    void shouldSayWhatAndWhereWithoutJacksonsNamesWhenTheBodyIsNotJson() {
        String deep = "{\"env\": " + "[".repeat(1200) + "]".repeat(1200) + "}";
        for (String body : List.of("{\"runtime\": \"JAVA\",", deep, "{\"runtime\": JAVA}")) {
            HttpResponse<byte[]> refused = api.put("/v1/functions/broken", beta, body);
            assertSingleProblem(refused, 400, "invalid_function");
            String error = json(refused).get("error").asText();
            assertThat(error).as(error).startsWith("body is not valid JSON: ").doesNotContain("`")
                    .doesNotContain("Source").doesNotContain("REDACTED").doesNotContain("StreamRead");
        }
        assertThat(json(api.put("/v1/functions/broken", beta, "{\"runtime\": \"JAVA\",")).get("error").asText())
                .contains("line 1, column ");
    }

    @Test
    void shouldKeepAFilterNumberAsSentInsteadOfCallingItTheStringInfinity() {
        String path = "/v1/triggers/huge-" + fixture.run;
        HttpResponse<byte[]> put = api.put(path, beta, body("echo", fixture.betaOrders, ", \"format\": \"JSON\", "
                + "\"filter\": {\"value\": {\"n\": [{\"numeric\": [\">\", 1e400]}]}}"));
        try {
            assertThat(put.statusCode()).as(text(put)).isEqualTo(201);
            assertThat(json(put).get("filter").asText()).contains("1E+400").doesNotContain("Infinity");
        } finally {
            api.delete(path, beta);
        }
    }

    /** The error shape, with one problem: {@code errors} is {@code [error]}. */
    private static void assertSingleProblem(HttpResponse<byte[]> response, int status, String code) {
        assertThat(response.statusCode()).as(text(response)).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("application/json"));
        JsonNode body = json(response);
        assertThat(body.get("code").asText()).as(text(response)).isEqualTo(code);
        assertThat(body.get("error").asText()).isNotBlank();
        assertThat(body.get("errors")).as(text(response)).isNotNull();
        assertThat(body.get("errors")).extracting(JsonNode::asText).as(text(response))
                .containsExactly(body.get("error").asText());
    }
}

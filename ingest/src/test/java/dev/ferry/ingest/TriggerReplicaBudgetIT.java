package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static dev.ferry.ingest.TriggerApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform-wide budget of pinned replicas as {@code /v1/triggers} meets it (sessions 9 and 10): functions'
 * {@code minReplicas} may hold at most 90 % of {@code autoscaler.max.total.replicas}, and an enabled trigger's pool
 * pins its function's minimum once more. Each case starts a gateway with a small budget of its own beside the
 * fixture's, on the fixture's tenants and topics ({@link TriggerApiFixture}).
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TriggerReplicaBudgetIT {

    @TempDir
    static Path dir;

    private static TriggerApiFixture fixture;
    /** The tenant whose triggers pin replicas here, and a source topic it may read. */
    private static String beta;
    private static String source;

    @BeforeAll
    static void start(KafkaFixture kafka) {
        fixture = TriggerApiFixture.start(kafka, dir);
        beta = fixture.beta;
        source = fixture.betaOrders;
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /**
     * An enabled trigger's pool is sized by its function's spec, minimum included, so it pins the function's
     * minReplicas once more: the platform-wide reservation (session 9) counts it, at the trigger's PUT and at a
     * redeploy of its function, and a pause pins nothing.
     */
    @Test
    void shouldRefuseATriggerWhosePoolWouldPinMoreThanThePlatformHasLeftToReserve() {
        // A budget of 5: minimums may hold 4.
        try (Gateway small = new Gateway(fixture.config.with("autoscaler.max.total.replicas", 5)).start()) {
            HttpApi smallApi = new HttpApi(small.port());
            String pinned = "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"minReplicas\": %d}";
            assertThat(smallApi.put("/v1/functions/pinned", beta, pinned.formatted(2)).statusCode()).isEqualTo(201);
            try {
                HttpResponse<byte[]> first = smallApi.put("/v1/triggers/pin-one", beta, body("pinned", source, ""));
                assertThat(first.statusCode()).as("2 + 2 of 4: %s", text(first)).isEqualTo(201);
                HttpResponse<byte[]> second = smallApi.put("/v1/triggers/pin-two", beta, body("pinned", source, ""));
                assertThat(second.statusCode()).as(text(second)).isEqualTo(400);
                assertThat(json(second).get("code").asText()).isEqualTo("invalid_trigger");
                assertThat(json(second).get("error").asText()).contains("0 of the 4");
                HttpResponse<byte[]> paused = smallApi.put("/v1/triggers/pin-two", beta,
                        body("pinned", source, ", \"enabled\": false"));
                assertThat(paused.statusCode()).as("a paused trigger has no pool: %s", text(paused)).isEqualTo(201);
                assertThat(smallApi.put("/v1/triggers/pin-two", beta, body("pinned", source, "")).statusCode())
                        .as("resuming it would pin 2 more").isEqualTo(400);
                HttpResponse<byte[]> raised = smallApi.put("/v1/functions/pinned", beta, pinned.formatted(3));
                assertThat(raised.statusCode()).as(text(raised)).isEqualTo(400);
                assertThat(json(raised).get("error").asText()).contains("in 2 pools");
                assertThat(smallApi.put("/v1/functions/pinned", beta, pinned.formatted(2)).statusCode())
                        .as("an update that pins what it did").isEqualTo(200);
            } finally {
                smallApi.delete("/v1/triggers/pin-one", beta);
                smallApi.delete("/v1/triggers/pin-two", beta);
                assertThat(smallApi.delete("/v1/functions/pinned", beta).statusCode()).isEqualTo(204);
            }
        }
    }

    /**
     * Session 10: 10 parallel trigger PUTs through one gateway all answered 201 and pinned 102 replicas of 90, each
     * checked against a directory that did not yet show the others. Writes that pin replicas wait for each other.
     */
    @Test
    void shouldNotOvercommitMinReplicasWhenTriggersThroughOneGatewayComeAtOnce() throws Exception {
        // A budget of 10: minimums may hold 9; the function pins 2, so three triggers of it fit (8) and a fourth not.
        try (Gateway small = new Gateway(fixture.config.with("autoscaler.max.total.replicas", 10)).start()) {
            HttpApi smallApi = new HttpApi(small.port());
            assertThat(smallApi.put("/v1/functions/rushed", beta, "{\"runtime\": \"JAVA\", \"handler\": \"echo\", "
                    + "\"minReplicas\": 2}").statusCode()).isEqualTo(201);
            java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(6);
            try {
                List<java.util.concurrent.Future<HttpResponse<byte[]>>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    String path = "/v1/triggers/rush-" + i;
                    answers.add(callers.submit(() -> smallApi.put(path, beta, body("rushed", source, ""))));
                }
                List<Integer> codes = new java.util.ArrayList<>();
                for (java.util.concurrent.Future<HttpResponse<byte[]>> answer : answers) {
                    codes.add(answer.get(60, TimeUnit.SECONDS).statusCode());
                }
                assertThat(codes).as("%s", codes).containsOnly(201, 400).filteredOn(code -> code == 201).hasSize(3);
            } finally {
                callers.shutdownNow();
                for (int i = 0; i < 6; i++) {
                    smallApi.delete("/v1/triggers/rush-" + i, beta);
                }
                smallApi.delete("/v1/functions/rushed", beta);
            }
        }
    }
}

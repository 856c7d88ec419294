package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * docs/design.md's HTTP API for functions, over real HTTP with the real pipeline behind ({@link GatewayApiFixture}):
 * the deploys refused because their {@code minReplicas} would pin more than the platform's replica budget
 * ({@code autoscaler.max.total.replicas}) lets minimums hold, most of them through a gateway of their own with a small
 * budget. Every function a test pins is removed before it ends, as the others count what is pinned platform-wide.
 */
class GatewayReplicaBudgetApiIT extends GatewayApiTestBase {

    GatewayReplicaBudgetApiIT(GatewayApiFixture shared) {
        super(shared);
    }

    @Test
    void shouldRefuseMinReplicasThatWouldPinMoreThanTheReplicaBudgetLetsMinimumsHold() {
        HttpResponse<byte[]> huge = api.put("/v1/functions/v12", beta,
                "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"minReplicas\": 1000, \"maxReplicas\": 1000}");
        assertThat(huge.statusCode()).as(text(huge)).isEqualTo(400);
        assertThat(json(huge).get("code").asText()).isEqualTo("invalid_function");
        assertThat(json(huge).get("error").asText()).contains("autoscaler.max.total.replicas=100").contains("90");
        assertThat(api.get("/v1/functions/v12", beta).statusCode()).isEqualTo(404);

        // A small budget (3: minimums may hold 2), so the pools this starts stay small.
        try (Gateway small = new Gateway(platformConfig.with("autoscaler.max.total.replicas", 3)
                .with("gateway.quota.report.interval.ms", 0)).start()) {
            HttpApi smallApi = new HttpApi(small.port());
            String pinned = "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"minReplicas\": %d}";
            assertThat(smallApi.put("/v1/functions/pinned", beta, pinned.formatted(2)).statusCode()).isEqualTo(201);
            HttpResponse<byte[]> more = smallApi.put("/v1/functions/pinned-too", beta, pinned.formatted(1));
            assertThat(more.statusCode()).as("the tenant's minimums add up: %s", text(more)).isEqualTo(400);
            assertThat(json(more).get("error").asText()).contains("this tenant's other functions pin 2")
                    .contains("0 of the 2");
            assertThat(smallApi.put("/v1/functions/pinned", beta, pinned.formatted(2)).statusCode())
                    .as("an update counts the function once").isEqualTo(200);
            assertThat(smallApi.delete("/v1/functions/pinned", beta).statusCode()).isEqualTo(204);
        }
    }

    /**
     * Session 9: minimums were capped per tenant, so one tenant's idle pinned pools could hold what minimums may
     * hold of the platform's budget and another tenant's later minReplicas was accepted (201) and silently held
     * fewer. The budget is the platform's: the second tenant is refused, told how many are left, and never told
     * whose functions hold the rest.
     */
    @Test
    void shouldRefuseMinReplicasBeyondWhatThePlatformHasLeftWhenAnotherTenantPinsTheRest() {
        // A budget of 5: minimums may hold 4.
        try (Gateway small = new Gateway(platformConfig.with("autoscaler.max.total.replicas", 5)
                .with("gateway.quota.report.interval.ms", 0)).start()) {
            HttpApi smallApi = new HttpApi(small.port());
            String pinned = "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"minReplicas\": %d}";
            assertThat(smallApi.put("/v1/functions/hoard", beta, pinned.formatted(3)).statusCode()).isEqualTo(201);
            try {
                HttpResponse<byte[]> refused = smallApi.put("/v1/functions/later", acme, pinned.formatted(2));
                assertThat(refused.statusCode()).as("another tenant pins 3 of 4: %s", text(refused)).isEqualTo(400);
                assertThat(json(refused).get("code").asText()).isEqualTo("invalid_function");
                assertThat(json(refused).get("error").asText()).contains("1 of the 4")
                        .doesNotContain("beta").doesNotContain("hoard").doesNotContain("this tenant's");
                assertThat(smallApi.get("/v1/functions/later", acme).statusCode()).isEqualTo(404);
                assertThat(smallApi.put("/v1/functions/later", acme, pinned.formatted(1)).statusCode())
                        .as("what is left can be reserved").isEqualTo(201);
                assertThat(smallApi.delete("/v1/functions/later", acme).statusCode()).isEqualTo(204);
            } finally {
                assertThat(smallApi.delete("/v1/functions/hoard", beta).statusCode()).isEqualTo(204);
            }
        }
    }

    /**
     * Session 10: parallel deploys through one gateway were each checked against a directory that did not yet show
     * the others: 8 PUTs of minReplicas 2 with 8 left all answered 201. Writes that pin replicas now wait for each
     * other within a gateway.
     */
    @Test
    void shouldNotOvercommitMinReplicasWhenDeploysThroughOneGatewayComeAtOnce() throws Exception {
        // A budget of 10: minimums may hold 9, so four functions of minReplicas 2 fit and a fifth does not.
        try (Gateway small = new Gateway(platformConfig.with("autoscaler.max.total.replicas", 10)
                .with("gateway.quota.report.interval.ms", 0)).start()) {
            HttpApi smallApi = new HttpApi(small.port());
            String pinned = "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"minReplicas\": 2}";
            java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<String> created = new java.util.ArrayList<>();
            try {
                List<java.util.concurrent.Future<HttpResponse<byte[]>>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String path = "/v1/functions/rush-" + i;
                    answers.add(callers.submit(() -> smallApi.put(path, beta, pinned)));
                }
                List<Integer> codes = new java.util.ArrayList<>();
                for (int i = 0; i < answers.size(); i++) {
                    int code = answers.get(i).get(60, TimeUnit.SECONDS).statusCode();
                    codes.add(code);
                    if (code == 201) {
                        created.add("/v1/functions/rush-" + i);
                    }
                }
                assertThat(codes).as("2 x 201s may not pin more than 9").containsOnly(201, 400);
                assertThat(created).as("%s", codes).hasSize(4);
            } finally {
                callers.shutdownNow();
                for (String path : created) {
                    smallApi.delete(path, beta);
                }
            }
        }
    }
}

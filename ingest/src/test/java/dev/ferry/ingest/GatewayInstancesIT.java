package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several gateways on one cluster, and a gateway that restarts. */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GatewayInstancesIT {

    @TempDir
    static Path dir;

    private static FerryConfig config;
    private static Platform platform;
    private static String key;

    @BeforeAll
    static void start(KafkaFixture kafka) {
        key = new TenantAdmin(dir.resolve("tenants.json")).createTenant("acme");
        // Gateways that come and go within seconds, each used at once: quota sharing (ClusterQuotasIT's subject) is
        // off here, since a gateway that joins gets no concurrency slot until the others report giving theirs up.
        config = Platform.config(kafka, dir.resolve("tenants.json")).with(GatewayConfig.QUOTA_REPORT_INTERVAL_MS, 0L);
        platform = Platform.start(config);
        try (Gateway gateway = new Gateway(config).start()) {
            HttpResponse<byte[]> deployed = new HttpApi(gateway.port()).put("/v1/functions/echo", key,
                    "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"concurrency\": 4}");
            assertThat(deployed.statusCode()).as(text(deployed)).isEqualTo(201);
            HttpResponse<byte[]> nap = new HttpApi(gateway.port()).put("/v1/functions/nap", key,
                    "{\"runtime\": \"JAVA\", \"handler\": \"sleep\", \"timeoutMs\": 30000}");
            assertThat(nap.statusCode()).as(text(nap)).isEqualTo(201);
            HttpResponse<byte[]> dawdle = new HttpApi(gateway.port()).put("/v1/functions/dawdle", key,
                    "{\"runtime\": \"JAVA\", \"handler\": \"sleep\", \"timeoutMs\": 1000, \"maxAttempts\": 2}");
            assertThat(dawdle.statusCode()).as(text(dawdle)).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void shouldAnswerEverySynchronousCallWhenCallsAlternateBetweenTwoGateways() {
        try (Gateway first = new Gateway(config).start(); Gateway second = new Gateway(config).start()) {
            List<HttpApi> instances = List.of(new HttpApi(first.port()), new HttpApi(second.port()));
            List<CompletableFuture<HttpResponse<byte[]>>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                HttpApi api = instances.get(i % 2);
                String payload = "call-" + i;
                calls.add(CompletableFuture.supplyAsync(() ->
                        api.post("/v1/functions/echo/invoke", key, payload, "text/plain")));
            }

            IntStream.range(0, calls.size()).forEach(i -> {
                HttpResponse<byte[]> response = calls.get(i).join();
                assertThat(response.statusCode()).as(text(response)).isEqualTo(200);
                assertThat(text(response)).isEqualTo("call-" + i);
            });
        }
    }

    @Test
    void shouldStillServeAnAsynchronousResultWhenTheGatewayRestarts() {
        String id;
        try (Gateway before = new Gateway(config).start()) {
            HttpApi api = new HttpApi(before.port());
            HttpResponse<byte[]> accepted = api.post("/v1/functions/echo/invocations", key, "survives", "text/plain");
            assertThat(accepted.statusCode()).isEqualTo(202);
            id = json(accepted).get("invocationId").asText();
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/invocations/" + id, key).statusCode() == 200);
        }

        try (Gateway after = new Gateway(config).start()) {
            HttpApi api = new HttpApi(after.port());
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/readyz", null).statusCode() == 200);

            HttpResponse<byte[]> result = api.get("/v1/invocations/" + id, key);
            assertThat(result.statusCode()).isEqualTo(200);
            assertThat(json(result).get("output").asText()).isEqualTo("survives");
            assertThat(json(result).get("invocationId").asText()).isEqualTo(id);
        }
    }

    /** Issue 15, part 4: which tenant owns a pending id is in Kafka, not in the memory of the gateway that took it. */
    @Test
    void shouldAnswerPendingThenTheResultNeverNotFoundWhenTheGatewayRestartsWhileAnAsyncCallRuns() {
        try (Gateway other = new Gateway(config).start()) {
            String id;
            try (Gateway before = new Gateway(config).start()) {
                HttpResponse<byte[]> accepted = new HttpApi(before.port()).post("/v1/functions/nap/invocations", key,
                        "{\"ms\": 8000}", "application/json");
                assertThat(accepted.statusCode()).as(text(accepted)).isEqualTo(202);
                id = json(accepted).get("invocationId").asText();
            }
            try (Gateway after = new Gateway(config).start()) {
                HttpApi restarted = new HttpApi(after.port());
                HttpApi another = new HttpApi(other.port());
                await().atMost(Duration.ofSeconds(30)).until(() -> restarted.get("/readyz", null).statusCode() == 200);
                List<Integer> seenAfter = new ArrayList<>();
                List<Integer> seenOther = new ArrayList<>();
                await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    seenAfter.add(restarted.get("/v1/invocations/" + id, key).statusCode());
                    seenOther.add(another.get("/v1/invocations/" + id, key).statusCode());
                    return seenAfter.get(seenAfter.size() - 1) == 200 && seenOther.get(seenOther.size() - 1) == 200;
                });

                assertThat(seenAfter).as("the restarted gateway").doesNotContain(404).first().isEqualTo(202);
                assertThat(seenOther).as("another gateway").doesNotContain(404).first().isEqualTo(202);
                HttpResponse<byte[]> result = restarted.get("/v1/invocations/" + id, key);
                assertThat(json(result).get("status").asText()).isEqualTo("SUCCEEDED");
                String stranger = new TenantAdmin(dir.resolve("tenants.json")).createTenant("stranger");
                // Ownership is the tenant's: another tenant (once its key is loaded) is told the id does not exist.
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> restarted.get("/v1/invocations/" + id, stranger).statusCode() == 404);
            }
        }
    }

    /**
     * Issue 15, part 5: each gateway reads the replies of its own synchronous calls and none of the others', so its
     * read cost stays flat as gateways are added.
     */
    @Test
    void shouldReadOnlyItsOwnRepliesWhenThreeGatewaysServeSynchronousCalls() {
        try (Gateway a = new Gateway(config).start(); Gateway b = new Gateway(config).start();
                Gateway c = new Gateway(config).start()) {
            List<Gateway> gateways = List.of(a, b, c);
            int[] calls = {3, 5, 7};
            List<CompletableFuture<HttpResponse<byte[]>>> answers = new ArrayList<>();
            for (int g = 0; g < gateways.size(); g++) {
                HttpApi api = new HttpApi(gateways.get(g).port());
                for (int i = 0; i < calls[g]; i++) {
                    String payload = "gateway-" + g + "-call-" + i;
                    answers.add(CompletableFuture.supplyAsync(() ->
                            api.post("/v1/functions/echo/invoke", key, payload, "text/plain")));
                }
            }
            answers.forEach(answer -> assertThat(answer.join().statusCode()).as(text(answer.join())).isEqualTo(200));

            assertThat(gateways.stream().map(Gateway::id).distinct()).hasSize(3);
            for (int g = 0; g < gateways.size(); g++) {
                assertThat(gateways.get(g).repliesRead()).as("replies read by gateway " + g).isEqualTo(calls[g]);
            }
        }
    }

    /**
     * A synchronous call's result goes to its own gateway's reply topic only; when that gateway already answered 504
     * ("fetch it later"), the late result is passed on, so another gateway behind the balancer answers too.
     */
    @Test
    void shouldAnswerTheLocationOfA504OnAnotherGatewayWhenTheResultComesLate() {
        FerryConfig impatient = config.with(GatewayConfig.SYNC_WAIT_MARGIN_MS, 0L);
        try (Gateway holder = new Gateway(impatient).start(); Gateway other = new Gateway(config).start()) {
            HttpResponse<byte[]> timedOut = new HttpApi(holder.port()).post("/v1/functions/dawdle/invoke", key,
                    "{\"ms\": 5000}", "application/json");
            assertThat(timedOut.statusCode()).as(text(timedOut)).isEqualTo(504);
            assertThat(json(timedOut).get("code").asText()).isEqualTo("timeout");
            String location = timedOut.headers().firstValue("Location").orElseThrow();

            HttpApi another = new HttpApi(other.port());
            List<Integer> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                seen.add(another.get(location, key).statusCode());
                return seen.get(seen.size() - 1) == 200;
            });
            assertThat(seen).as("another gateway, asked where the 504 said").doesNotContain(404);
            assertThat(json(another.get(location, key)).get("status").asText()).isEqualTo("TIMED_OUT");
        }
    }

    /**
     * A gateway that stops while a synchronous call waits answers 504 with a {@code Location}; the result then comes
     * to its reply topic while it is away. When it starts again under the same id it passes that result on, so the
     * {@code Location} answers on any gateway instead of "pending" until the retention ends (found by a user trying
     * a rolling restart).
     */
    @Test
    void shouldPassOnTheResultOfACallAnswered504AsItsGatewayStoppedWhenThatGatewayComesBack() throws Exception {
        FerryConfig comesBack = config.with(GatewayConfig.ID, "comes-back").with(GatewayConfig.DRAIN_TIMEOUT_MS, 0L);
        try (Gateway other = new Gateway(config).start()) {
            Gateway holder = new Gateway(comesBack).start();
            HttpApi holderApi = new HttpApi(holder.port());
            CompletableFuture<HttpResponse<byte[]>> call = CompletableFuture.supplyAsync(() -> holderApi.post(
                    "/v1/functions/nap/invoke", key, "{\"ms\": 3000}", "application/json"));
            await().atMost(Duration.ofSeconds(30)).until(() -> holder.callsWaiting() == 1);
            holder.close();
            HttpResponse<byte[]> stopped = call.get(30, TimeUnit.SECONDS);
            assertThat(stopped.statusCode()).as(text(stopped)).isEqualTo(504);
            String location = stopped.headers().firstValue("Location").orElseThrow();
            HttpApi another = new HttpApi(other.port());
            assertThat(another.get(location, key).statusCode()).as("pending, not unknown").isEqualTo(202);

            try (Gateway back = new Gateway(comesBack).start()) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> another.get(location, key).statusCode() == 200);
                assertThat(json(another.get(location, key)).get("status").asText()).isEqualTo("SUCCEEDED");
            }
        }
    }
}

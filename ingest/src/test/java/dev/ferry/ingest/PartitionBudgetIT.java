package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform-wide budget of work-topic partitions ({@code topic.work.max.total.partitions}, session 11): one
 * tenant's 19 deploys of {@code partitions} 1000, each answered 201, took the embedded broker past its open-file limit
 * and the whole dev platform down. Each case runs a gateway with a budget of 10 on a topic prefix of its own, so it
 * sees only its own functions.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PartitionBudgetIT {

    private static final String SPEC = "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": %d}";

    @TempDir
    static Path dir;

    private static String acme;
    private static String beta;

    @BeforeAll
    static void tenants() {
        TenantAdmin admin = new TenantAdmin(dir.resolve("tenants.json"));
        acme = admin.createTenant("acme");
        beta = admin.createTenant("beta");
    }

    private static FerryConfig config(KafkaFixture kafka) {
        return Platform.config(kafka, dir.resolve("tenants.json"))
                .with(TopicConfig.WORK_MAX_TOTAL_PARTITIONS, 10)
                .with(GatewayConfig.QUOTA_REPORT_INTERVAL_MS, 0L);
    }

    @Test
    void shouldRefuseCreatesAndRaisesBeyondWhatIsLeftOfThePlatformsPartitionBudget(KafkaFixture kafka) {
        try (Gateway gateway = new Gateway(config(kafka)).start()) {
            HttpApi api = new HttpApi(gateway.port());
            assertThat(api.put("/v1/functions/wide", beta, SPEC.formatted(6)).statusCode()).isEqualTo(201);

            HttpResponse<byte[]> refused = api.put("/v1/functions/later", acme, SPEC.formatted(5));
            assertThat(refused.statusCode()).as("another tenant holds 6 of 10: %s", text(refused)).isEqualTo(400);
            assertThat(json(refused).get("code").asText()).isEqualTo("invalid_function");
            assertThat(json(refused).get("error").asText()).contains("4 of topic.work.max.total.partitions=10")
                    .doesNotContain("beta").doesNotContain("wide").doesNotContain("this tenant's");
            assertThat(api.get("/v1/functions/later", acme).statusCode()).isEqualTo(404);
            assertThat(api.put("/v1/functions/later", acme, SPEC.formatted(4)).statusCode())
                    .as("what is left can be taken").isEqualTo(201);

            HttpResponse<byte[]> raised = api.put("/v1/functions/wide", beta, SPEC.formatted(7));
            assertThat(raised.statusCode()).as("a raise counts the function once: %s", text(raised)).isEqualTo(400);
            assertThat(json(raised).get("error").asText()).contains("6 of topic.work.max.total.partitions=10");
            assertThat(api.put("/v1/functions/wide", beta, SPEC.formatted(6)).statusCode())
                    .as("an update that keeps its partitions").isEqualTo(200);

            HttpResponse<byte[]> more = api.put("/v1/functions/wide-too", beta, SPEC.formatted(1));
            assertThat(more.statusCode()).as(text(more)).isEqualTo(400);
            assertThat(json(more).get("error").asText()).contains("0 of topic.work.max.total.partitions=10")
                    .contains("this tenant's other functions hold 6");

            assertThat(api.delete("/v1/functions/later", acme).statusCode()).isEqualTo(204);
            assertThat(api.put("/v1/functions/wide-too", beta, SPEC.formatted(4)).statusCode())
                    .as("a removed function's partitions are free again").isEqualTo(201);
        }
    }

    /**
     * Creates through one gateway at the same instant each check what the others have not yet written unless they
     * wait for each other, as writes that pin replicas do (session 10): 8 creates of 2 partitions with 10 left.
     */
    @Test
    void shouldNotOvercommitThePartitionBudgetWhenCreatesThroughOneGatewayComeAtOnce(KafkaFixture kafka)
            throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (Gateway gateway = new Gateway(config(kafka)).start()) {
            HttpApi api = new HttpApi(gateway.port());
            List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String path = "/v1/functions/rush-" + i;
                answers.add(callers.submit(() -> api.put(path, beta, SPEC.formatted(2))));
            }
            List<Integer> codes = new ArrayList<>();
            for (Future<HttpResponse<byte[]>> answer : answers) {
                codes.add(answer.get(90, TimeUnit.SECONDS).statusCode());
            }
            assertThat(codes).as("2 partitions each, 10 in all").containsOnly(201, 400);
            assertThat(codes.stream().filter(c -> c == 201).count()).as("%s", codes).isEqualTo(5);
        } finally {
            callers.shutdownNow();
        }
    }
}

package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two live gateways with one {@code gateway.id} never both serve (tester 15A: they did, and together admitted twice a
 * tenant's quota, since each read the other's quota reports as its own).
 */
@FerryKafkaTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GatewayDuplicateIdIT {

    @TempDir
    static Path dir;

    private static FerryConfig config;
    private static String key;

    @BeforeAll
    static void configure(KafkaFixture kafka) {
        key = new TenantAdmin(dir.resolve("tenants.json")).createTenant("acme");
        config = Platform.config(kafka, dir.resolve("tenants.json"))
                .with(GatewayConfig.QUOTA_REPORT_INTERVAL_MS, 200L);
    }

    @Test
    void shouldRefuseToStartASecondGatewayWithTheIdOfALiveOne() {
        FerryConfig same = config.with(GatewayConfig.ID, "dup-a");
        try (Gateway first = new Gateway(same).start()) {
            assertThatThrownBy(() -> new Gateway(same).start()).isInstanceOf(FerryException.class)
                    .hasMessageContaining("Another gateway is live with gateway.id dup-a")
                    .hasMessageContaining("its own gateway.id");

            HttpApi api = new HttpApi(first.port());
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/readyz", null).statusCode() == 200);
            assertThat(api.get("/v1/functions", key).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shouldLetOnlyOneOfTwoGatewaysStartedAtOnceWithOneIdServe() {
        FerryConfig same = config.with(GatewayConfig.ID, "dup-b");
        List<CompletableFuture<Gateway>> starts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            CompletableFuture<Gateway> start = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    start.complete(new Gateway(same).start());
                } catch (RuntimeException e) {
                    start.completeExceptionally(e);
                }
            });
            thread.start();
            starts.add(start);
        }
        List<Gateway> started = new ArrayList<>();
        try {
            for (CompletableFuture<Gateway> start : starts) {
                try {
                    started.add(start.get(90, TimeUnit.SECONDS));
                } catch (Exception e) {
                    assertThat(e).hasRootCauseInstanceOf(FerryException.class)
                            .rootCause().hasMessageContaining("gateway.id dup-b");
                }
            }
            assertThat(started).isNotEmpty();
            // Either the start of one failed, or the later one steps out: one serves, the other refuses.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<Gateway> serving = new ArrayList<>();
                for (Gateway gateway : started) {
                    HttpApi api = new HttpApi(gateway.port());
                    HttpResponse<byte[]> ready = api.get("/readyz", null);
                    HttpResponse<byte[]> call = api.get("/v1/functions", key);
                    if (ready.statusCode() == 200) {
                        assertThat(call.statusCode()).as(text(call)).isEqualTo(200);
                        serving.add(gateway);
                    } else {
                        assertThat(json(ready).get("checks").get("gateway-id").asText())
                                .contains("another gateway is live with gateway.id dup-b");
                        assertThat(call.statusCode()).as(text(call)).isEqualTo(503);
                        assertThat(json(call).get("code").asText()).isEqualTo("not_ready");
                    }
                }
                assertThat(serving).hasSize(1);
            });
        } finally {
            started.forEach(Gateway::close);
        }
    }

    @Test
    void shouldStartAgainWithItsIdOnceItStopped() {
        FerryConfig same = config.with(GatewayConfig.ID, "dup-c");
        new Gateway(same).start().close();
        try (Gateway again = new Gateway(same).start()) {
            HttpApi api = new HttpApi(again.port());
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/readyz", null).statusCode() == 200);
            assertThat(Optional.of(api.get("/v1/functions", key).statusCode())).hasValue(200);
        }
    }
}

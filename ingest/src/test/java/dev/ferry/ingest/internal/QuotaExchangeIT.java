package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Gateways sharing a tenant's concurrency limit through {@code ferry.quotas} on the real broker (issue 15, part 3).
 * The report interval is long here (60 s) so that what happens at once cannot be mistaken for the next report; the
 * waits are 30 s, since CI once needed more than 5 s for the reports to cross.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class QuotaExchangeIT {

    private static final long INTERVAL_MS = 60_000;
    private static final Limits TWO_AT_ONCE = new Limits(1000, 1000, 2, 1 << 20, 1 << 20);

    private final List<AutoCloseable> opened = new ArrayList<>();

    /**
     * A gateway that joins gets its slots as soon as the gateway holding them has answered its first report, not
     * one to two report intervals later: it used to refuse every call of the tenant with 429 meanwhile.
     */
    @Test
    void shouldGiveAJoiningGatewayItsSlotsWithoutWaitingForTheNextReports(KafkaFixture kafka) {
        FerryRuntime runtime = runtime(kafka);
        TenantQuotas first = new TenantQuotas(System::nanoTime);
        opened.add(QuotaExchange.start(runtime, first, "first"));
        // Alone, the first gateway allows itself both slots and says so in its report.
        first.acquireSlot("acme", TWO_AT_ONCE).run();

        TenantQuotas second = new TenantQuotas(System::nanoTime);
        QuotaExchange joined = QuotaExchange.start(runtime, second, "second");
        opened.add(joined);
        await().atMost(Duration.ofSeconds(30)).until(() -> joined.board().view().gateways() == 2);

        Runnable held = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> tryAcquire(second), slot -> slot != null);
        // Still one limit across both: the first now allows itself the other slot only.
        Runnable other = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> tryAcquire(first), slot -> slot != null);
        assertThatThrownBy(() -> first.acquireSlot("acme", TWO_AT_ONCE))
                .isInstanceOf(ApiException.class).hasMessageContaining("limit of 2");
        assertThat(tryAcquire(second)).as("the second gateway's one slot is taken").isNull();
        held.run();
        other.run();
    }

    private static Runnable tryAcquire(TenantQuotas quotas) {
        try {
            return quotas.acquireSlot("acme", TWO_AT_ONCE);
        } catch (ApiException e) {
            return null;
        }
    }

    private FerryRuntime runtime(KafkaFixture kafka) {
        FerryRuntime runtime = FerryRuntime.create(new FerryConfig(Map.of(
                FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl(),
                FerryConfig.TOPIC_PREFIX, "q" + UUID.randomUUID().toString().substring(0, 8) + ".",
                GatewayConfig.QUOTA_REPORT_INTERVAL_MS, INTERVAL_MS)));
        opened.add(runtime);
        kafka.createTopic(runtime.topics().quotas(), 1);
        return runtime;
    }

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }
}

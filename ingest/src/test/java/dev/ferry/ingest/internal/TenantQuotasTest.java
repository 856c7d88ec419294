package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TenantQuotasTest {

    private final AtomicLong now = new AtomicLong();
    private final TenantQuotas quotas = new TenantQuotas(now::get);

    @Test
    void shouldAnswer429WithRetryAfterWhenOverTheRate() {
        Limits limits = new Limits(0.5, 1, 10, 100, 100);
        quotas.admitRequest("acme", limits);

        assertThatThrownBy(() -> quotas.admitRequest("acme", limits))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.retryAfterSeconds()).isEqualTo(2);
                });
        quotas.admitRequest("beta", limits); // another tenant has its own bucket

        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        quotas.admitRequest("acme", limits);
    }

    @Test
    void shouldRefuseASlotWhenTheTenantHasItsMaximumInFlight() {
        Limits limits = new Limits(100, 100, 2, 100, 100);
        Runnable first = quotas.acquireSlot("acme", limits);
        quotas.acquireSlot("acme", limits);

        assertThatThrownBy(() -> quotas.acquireSlot("acme", limits))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.retryAfterSeconds()).isPositive();
                });

        first.run();
        first.run(); // releasing twice must not free a second slot
        quotas.acquireSlot("acme", limits);
        assertThat(quotas.inFlight("acme")).isEqualTo(2);
        assertThatThrownBy(() -> quotas.acquireSlot("acme", limits)).isInstanceOf(ApiException.class);
    }

    /**
     * Session 9: a rate of 1e308 made the bucket's derived burst Infinity, and every call of the tenant answered 500.
     * Every number derived from a quota stays a number, at the largest limits and whatever a peer reports.
     */
    @Test
    void shouldAdmitAndCountWhenTheLimitsAreAtTheirLargestOrAPeerReportsNonsense() {
        QuotaBoard board = new QuotaBoard("a", java.time.Duration.ofSeconds(1), now::get);
        quotas.share(board::view);
        board.report("a", java.util.Map.of("acme", new QuotaBoard.Load(10, Integer.MAX_VALUE, 0, 0)));
        board.report("b", java.util.Map.of("acme", new QuotaBoard.Load(Double.NaN, Integer.MAX_VALUE,
                Integer.MAX_VALUE, Integer.MAX_VALUE)));
        board.report("c", java.util.Map.of("acme", new QuotaBoard.Load(Double.POSITIVE_INFINITY, Integer.MAX_VALUE,
                Integer.MAX_VALUE, Integer.MAX_VALUE)));
        Limits largest = new Limits(dev.ferry.core.config.GatewayConfig.MAX_REQUESTS_PER_SECOND, Integer.MAX_VALUE,
                Integer.MAX_VALUE, 100, 100);

        for (int i = 0; i < 100; i++) {
            quotas.admitRequest("acme", largest);
        }
        assertThatThrownBy(() -> quotas.acquireSlot("acme", largest))
                .as("the peers count every slot as theirs: refused with 429, not failed")
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(429));

        board.left("b");
        board.left("c");
        quotas.acquireSlot("acme", largest).run();
        Limits smallest = new Limits(dev.ferry.core.config.GatewayConfig.MIN_REQUESTS_PER_SECOND, 1, 1, 100, 100);
        quotas.admitRequest("beta", smallest);
        assertThatThrownBy(() -> quotas.admitRequest("beta", smallest))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(1000));
    }

    @Test
    void shouldEnforceOnlyThisGatewaysShareAndReportTheDemandIncludingRefusals() {
        QuotaBoard board = new QuotaBoard("a", java.time.Duration.ofSeconds(1), now::get);
        quotas.share(board::view);
        board.report("a", java.util.Map.of("acme", new QuotaBoard.Load(100, 4, 0, 0)));
        board.report("b", java.util.Map.of("acme", new QuotaBoard.Load(100, 4, 0, 0)));
        Limits limits = new Limits(10, 4, 4, 100, 100);

        int admitted = 0;
        for (int i = 0; i < 10; i++) {
            try {
                quotas.admitRequest("acme", limits);
                admitted++;
            } catch (ApiException e) {
                assertThat(e.getMessage()).contains("this gateway's share of it is 5.0 requests/s");
            }
        }
        assertThat(admitted).as("half the burst of 4").isEqualTo(2);
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        quotas.admitRequest("acme", limits);
        quotas.admitRequest("acme", limits);
        assertThatThrownBy(() -> quotas.admitRequest("acme", limits)).isInstanceOf(ApiException.class);

        Runnable first = quotas.acquireSlot("acme", limits);
        quotas.acquireSlot("acme", limits);
        assertThatThrownBy(() -> quotas.acquireSlot("acme", limits)).isInstanceOf(ApiException.class);
        first.run();

        assertThat(quotas.drain()).containsExactly(new TenantQuotas.Usage("acme", 13, 4, 1, 3, 2));
        assertThat(quotas.drain()).as("counted afresh; a slot still held").containsExactly(
                new TenantQuotas.Usage("acme", 0, 0, 1, 1, 2));

        board.left("b");
        for (int i = 0; i < 3; i++) {
            quotas.acquireSlot("acme", limits); // alone again: the whole limit, 1 held + 3
        }
        assertThat(quotas.inFlight("acme")).isEqualTo(4);
        assertThatThrownBy(() -> quotas.acquireSlot("acme", limits)).isInstanceOf(ApiException.class);
    }
}

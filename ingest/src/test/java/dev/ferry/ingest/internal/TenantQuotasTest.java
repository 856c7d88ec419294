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
}

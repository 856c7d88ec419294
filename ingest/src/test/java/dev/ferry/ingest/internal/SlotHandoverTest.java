package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Two gateways handing a tenant's concurrency slots to each other through their reports, as {@link QuotaExchange}
 * does over {@code ferry.quotas} but without Kafka: every report is read by both boards in the order written, and
 * a gateway answers a peer's report out of turn when {@link TenantQuotas#canFreeSlotsFor} says so.
 */
class SlotHandoverTest {

    private static final Limits TWO_AT_ONCE = new Limits(1000, 1000, 2, 1 << 20, 1 << 20);

    private final AtomicLong now = new AtomicLong();
    private final QuotaBoard firstBoard = new QuotaBoard("first", Duration.ofSeconds(1), now::get);
    private final QuotaBoard secondBoard = new QuotaBoard("second", Duration.ofSeconds(1), now::get);
    private final TenantQuotas first = new TenantQuotas(now::get);
    private final TenantQuotas second = new TenantQuotas(now::get);

    SlotHandoverTest() {
        first.share(firstBoard::view);
        second.share(secondBoard::view);
    }

    /** Writes a report of {@code gateway}; both read it. Returns its loads, as the peer reads them. */
    private Map<String, QuotaBoard.Load> report(String gateway, TenantQuotas quotas) {
        Map<String, QuotaBoard.Load> loads = new HashMap<>();
        for (TenantQuotas.Usage usage : quotas.drain()) {
            loads.put(usage.tenant(), new QuotaBoard.Load(usage.requests(), usage.concurrencyDemand(),
                    usage.inFlight(), usage.slots()));
        }
        firstBoard.report(gateway, loads);
        secondBoard.report(gateway, loads);
        return loads;
    }

    private static Runnable tryAcquire(TenantQuotas quotas) {
        try {
            return quotas.acquireSlot("acme", TWO_AT_ONCE);
        } catch (ApiException e) {
            return null;
        }
    }

    /**
     * The order of reports CI once produced in QuotaExchangeIT: the second gateway ends up holding one slot while
     * a split since its last report allowed it both, and it had been refused before that report. The first gateway
     * is then refused by a stale count of the second's slots and says so; the second must answer at once, though
     * its last report showed refusals, or the first refuses every call until the second's next interval.
     */
    @Test
    void shouldAnswerAPeersRefusalWhenItsCountOfThisGatewaysSlotsIsStaleThoughThisGatewayWasShortBefore() {
        // The first gateway alone takes a slot and lets it go; its first report carries that demand.
        first.acquireSlot("acme", TWO_AT_ONCE).run();
        report("first", first);
        // The second joins: the split gives the first both slots, so the second is refused, twice.
        assertThat(tryAcquire(second)).isNull();
        Map<String, QuotaBoard.Load> joined = report("second", second);
        assertThat(tryAcquire(second)).isNull();
        // The first answers the joining (its report now shows no demand); the second gets a slot.
        assertThat(first.canFreeSlotsFor(joined)).isTrue();
        report("first", first);
        Runnable held = tryAcquire(second);
        assertThat(held).isNotNull();
        // The second's next report shows demand beyond its slot; the first, not short, answers it.
        Map<String, QuotaBoard.Load> wanting = report("second", second);
        assertThat(first.canFreeSlotsFor(wanting)).isTrue();
        report("first", first);
        // The split after that answer gives the second both slots, though it holds and uses one: the first is refused.
        assertThat(tryAcquire(first)).isNull();
        Map<String, QuotaBoard.Load> refused = report("first", first);

        assertThat(second.canFreeSlotsFor(refused))
                .as("the second is counted for 2 slots but uses 1: its report frees one for the first").isTrue();
        report("second", second);
        Runnable other = tryAcquire(first);
        assertThat(other).as("the first's slot, once the second reported").isNotNull();
        assertThatThrownBy(() -> first.acquireSlot("acme", TWO_AT_ONCE)).isInstanceOf(ApiException.class);
        assertThat(tryAcquire(second)).as("the limit is 2 across both").isNull();
        held.run();
        other.run();
    }

    /**
     * Both gateways short of a tenant's slots for as long as calls keep coming, each using all it is counted for
     * once the first answer settled who holds what: after that, their reports at their intervals are not answered,
     * or they would go back and forth for as long as both are short.
     */
    @Test
    void shouldStopAnsweringOnceBothAreShortAndEachUsesAllItIsCountedFor() {
        report("first", first);
        report("second", second);
        Runnable a = tryAcquire(first);
        Runnable b = tryAcquire(second);
        assertThat(a).isNotNull();
        assertThat(b).isNotNull();

        int answersAfterTheFirstInterval = 0;
        for (int interval = 0; interval < 5; interval++) {
            // Calls keep coming to both and are refused; each gateway reports at its interval.
            assertThat(tryAcquire(first)).isNull();
            assertThat(tryAcquire(second)).isNull();
            int answers = exchange("first", first, "second", second)
                    + exchange("second", second, "first", first);
            if (interval > 0) {
                answersAfterTheFirstInterval += answers;
            }
        }

        assertThat(answersAfterTheFirstInterval).isZero();
        assertThat(firstBoard.view().slots("acme", 2) + secondBoard.view().slots("acme", 2)).isEqualTo(2);
        a.run();
        b.run();
    }

    /** A report of {@code from}, then the answers out of turn it sets off, each answer to the one before. */
    private int exchange(String from, TenantQuotas fromQuotas, String to, TenantQuotas toQuotas) {
        Map<String, QuotaBoard.Load> loads = report(from, fromQuotas);
        int answers = 0;
        for (; answers < 10 && toQuotas.canFreeSlotsFor(loads); answers++) {
            loads = report(to, toQuotas);
            String gateway = to;
            TenantQuotas quotas = toQuotas;
            to = from;
            toQuotas = fromQuotas;
            from = gateway;
            fromQuotas = quotas;
        }
        return answers;
    }
}

package dev.ferry.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class QuotaBoardTest {

    private static final Duration INTERVAL = Duration.ofSeconds(1);

    private final AtomicLong now = new AtomicLong();
    private final QuotaBoard a = new QuotaBoard("a", INTERVAL, now::get);
    private final QuotaBoard b = new QuotaBoard("b", INTERVAL, now::get);

    /** Both gateways read every report, in the same order, as they do from the one partition of ferry.quotas. */
    private void publish(String gateway, Map<String, QuotaBoard.Load> loads) {
        a.report(gateway, loads);
        b.report(gateway, loads);
    }

    private void elapse(Duration duration) {
        now.addAndGet(duration.toNanos());
        a.tick();
        b.tick();
    }

    @Test
    void shouldEnforceTheWholeLimitsWhenNoOtherGatewayIsLive() {
        publish("a", Map.of("acme", new QuotaBoard.Load(80, 6, 3, 3)));

        assertThat(a.view().gateways()).isEqualTo(1);
        assertThat(a.view().rate("acme", 50)).isEqualTo(50);
        assertThat(a.view().slots("acme", 4)).isEqualTo(4);
    }

    @Test
    void shouldSplitByDemandSoTheSharesOfAllGatewaysAddUpToTheLimit() {
        publish("a", Map.of("acme", new QuotaBoard.Load(90, 4, 2, 2)));
        publish("b", Map.of("acme", new QuotaBoard.Load(30, 4, 2, 2)));

        assertThat(a.view().rate("acme", 50) + b.view().rate("acme", 50)).isCloseTo(50, within(1e-9));
        assertThat(a.view().rate("acme", 50)).isCloseTo(25, within(1e-9));
        // Between the two reports a's demand alone was known, and a could take all 4 slots: b waits for a to report
        // what it holds under the even split.
        assertThat(b.view().slots("acme", 4)).isZero();
        publish("a", Map.of("acme", new QuotaBoard.Load(90, 4, 2, 2)));
        publish("b", Map.of("acme", new QuotaBoard.Load(30, 4, 2, 2)));
        assertThat(a.view().slots("acme", 4)).isEqualTo(2);
        assertThat(b.view().slots("acme", 4)).isEqualTo(2);
        // Another tenant, seen by neither: split evenly.
        assertThat(b.view().rate("other", 10)).isCloseTo(5, within(1e-9));
    }

    @Test
    void shouldGiveTheBusyGatewayNearlyAllWhenTheOtherHasNoDemand() {
        publish("a", Map.of("acme", new QuotaBoard.Load(100, 4, 4, 4)));
        publish("b", Map.of());

        assertThat(a.view().rate("acme", 50)).isCloseTo(47.5, within(1e-9));
        assertThat(b.view().rate("acme", 50)).isCloseTo(2.5, within(1e-9));
        assertThat(a.view().slots("acme", 4)).isEqualTo(4);
        assertThat(b.view().slots("acme", 4)).isZero();
    }

    @Test
    void shouldNotTakeSlotsAnotherGatewayMayStillUseUntilItReportsThemFree() {
        // a had the 4 slots to itself and holds them; then b's calls start.
        publish("a", Map.of("acme", new QuotaBoard.Load(10, 4, 4, 4)));
        publish("b", Map.of("acme", new QuotaBoard.Load(10, 4, 0, 0)));

        assertThat(a.view().slots("acme", 4)).isEqualTo(2);
        assertThat(b.view().slots("acme", 4)).as("a may still hold or admit 4 until it says otherwise").isZero();

        publish("a", Map.of("acme", new QuotaBoard.Load(10, 4, 3, 2)));
        assertThat(b.view().slots("acme", 4)).as("a still holds 3").isEqualTo(1);

        publish("a", Map.of("acme", new QuotaBoard.Load(10, 4, 2, 2)));
        assertThat(b.view().slots("acme", 4)).isEqualTo(2);
        assertThat(a.view().slots("acme", 4)).isEqualTo(2);
    }

    @Test
    void shouldCountSlotsAGatewayTookUnderAnEarlierSplitBeforeItReportedTheTenant() {
        publish("a", Map.of());
        publish("b", Map.of());
        // No demand known: 2 slots each, and both take them before either reports the tenant.
        assertThat(a.view().slots("acme", 4)).isEqualTo(2);
        assertThat(b.view().slots("acme", 4)).isEqualTo(2);

        publish("a", Map.of("acme", new QuotaBoard.Load(10, 4, 2, 2)));

        // a's demand alone is known now: its share is all 4, but b may still hold the 2 the even split gave it.
        assertThat(a.view().slots("acme", 4)).isEqualTo(2);
        publish("b", Map.of("acme", new QuotaBoard.Load(10, 4, 2, 0)));
        assertThat(a.view().slots("acme", 4)).isEqualTo(2);
        assertThat(b.view().slots("acme", 4)).as("a may have taken 4 while only its demand was known").isZero();
    }

    @Test
    void shouldKeepTheSharesWhenOneGatewaysCallersStallForAnInterval() {
        publish("a", Map.of("acme", new QuotaBoard.Load(60, 4, 2, 2)));
        publish("b", Map.of("acme", new QuotaBoard.Load(60, 4, 2, 2)));
        publish("a", Map.of()); // nothing asked of a for one interval

        // a's demand is taken as 30 (the mean of its last two reports): still more than an even split needs.
        assertThat(a.view().rate("acme", 50)).isCloseTo(25, within(1e-9));
        assertThat(b.view().rate("acme", 50)).isCloseTo(25, within(1e-9));

        publish("a", Map.of());
        assertThat(b.view().rate("acme", 50)).as("a idle for two intervals").isCloseTo(47.5, within(1e-9));
    }

    @Test
    void shouldDropAGatewayThatStopsReportingOrSaysItLeft() {
        publish("a", Map.of("acme", new QuotaBoard.Load(10, 1, 1, 1)));
        publish("b", Map.of("acme", new QuotaBoard.Load(10, 1, 1, 1)));
        assertThat(a.view().gateways()).isEqualTo(2);

        for (int i = 0; i < QuotaBoard.EXPIRY_INTERVALS; i++) {
            elapse(INTERVAL);
            publish("a", Map.of());
        }
        assertThat(a.view().gateways()).as("b silent for exactly the expiry").isEqualTo(2);
        elapse(Duration.ofMillis(1));
        assertThat(a.view().gateways()).isEqualTo(1);
        assertThat(a.view().rate("acme", 50)).isEqualTo(50);

        publish("b", Map.of());
        assertThat(a.view().gateways()).isEqualTo(2);
        a.left("b");
        assertThat(a.view().gateways()).isEqualTo(1);
    }

    @Test
    void shouldSplitEvenlyAmongTheGatewaysItLastKnewWhenItsOwnReportsStopComingBack() {
        publish("a", Map.of("acme", new QuotaBoard.Load(100, 4, 0, 0)));
        publish("b", Map.of());
        assertThat(a.view().rate("acme", 50)).isCloseTo(47.5, within(1e-9));

        elapse(INTERVAL.multipliedBy(QuotaBoard.EXPIRY_INTERVALS).plusMillis(1));

        assertThat(a.view().cutOff()).isTrue();
        assertThat(a.view().rate("acme", 50)).isEqualTo(25);
        assertThat(a.view().slots("acme", 4)).isEqualTo(2);
        assertThat(a.view().slots("acme", 1)).as("never none").isEqualTo(1);

        publish("a", Map.of());
        assertThat(a.view().cutOff()).isFalse();
        assertThat(a.view().gateways()).isEqualTo(1);
    }

    @Test
    void shouldNotBeCutOffWhileStartingBeforeItsFirstReportComesBack() {
        publish("b", Map.of("acme", new QuotaBoard.Load(100, 4, 0, 0)));

        assertThat(a.view().cutOff()).isFalse();
        assertThat(a.view().gateways()).isEqualTo(2);
        assertThat(a.view().rate("acme", 50)).as("the floor").isCloseTo(2.5, within(1e-9));
    }
}

package dev.ferry.metering.internal;

import dev.ferry.schemas.UsageRecord;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * What metering keeps per function and window: the counters of an open window, then the bill of a closed one, or
 * the sum of closed windows (roll-ups and running totals). {@code cost} stays zero until the window closes.
 */
public record WindowTotals(String tenant, String function, long windowStart, long windowEnd, long invocations,
        long failures, long billedMillis, long mbMillis, BigDecimal cost, Uptime uptime) {

    public static WindowTotals open(String tenant, String function, long windowStart, long windowEnd) {
        return new WindowTotals(tenant, function, windowStart, windowEnd, 0, 0, 0, 0,
                BigDecimal.ZERO.setScale(Billing.COST_SCALE), Uptime.NONE);
    }

    /** This window with one more attempt that ran. */
    public WindowTotals plusAttempt(boolean failed, long attemptBilledMillis, long attemptMbMillis) {
        return new WindowTotals(tenant, function, windowStart, windowEnd, invocations + 1,
                failures + (failed ? 1 : 0), Math.addExact(billedMillis, attemptBilledMillis),
                Math.addExact(mbMillis, attemptMbMillis), cost, uptime);
    }

    /** This window, final: priced, with its up and down runs. */
    public WindowTotals closed(BigDecimal windowCost, Uptime windowUptime) {
        return new WindowTotals(tenant, function, windowStart, windowEnd, invocations, failures, billedMillis,
                mbMillis, windowCost, windowUptime);
    }

    /** The sum of two spans of the same function: counters and costs add, the span covers both. */
    public WindowTotals plus(WindowTotals other) {
        if (other == null) {
            return this;
        }
        return new WindowTotals(tenant, function, Math.min(windowStart, other.windowStart),
                Math.max(windowEnd, other.windowEnd), invocations + other.invocations, failures + other.failures,
                Math.addExact(billedMillis, other.billedMillis), Math.addExact(mbMillis, other.mbMillis),
                cost.add(other.cost), uptime.plus(other.uptime));
    }

    /** This span re-labelled as the roll-up bucket {@code [start, end)}. */
    public WindowTotals asSpan(long start, long end) {
        return new WindowTotals(tenant, function, start, end, invocations, failures, billedMillis, mbMillis, cost,
                uptime);
    }

    public double availability() {
        return uptime.availability();
    }

    /** The share of attempts that succeeded; 1.0 when nothing ran. */
    public double successRatio() {
        return invocations == 0 ? 1.0 : (double) (invocations - failures) / invocations;
    }

    public UsageRecord toUsageRecord() {
        return UsageRecord.newBuilder()
                .setTenant(tenant)
                .setFunction(function)
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setInvocations(invocations)
                .setFailures(failures)
                .setBilledMillis(billedMillis)
                .setMbMillis(mbMillis)
                .setCost(cost.setScale(Billing.COST_SCALE, Billing.COST_ROUNDING))
                .setAvailability(availability())
                .build();
    }
}

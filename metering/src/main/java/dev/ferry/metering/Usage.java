package dev.ferry.metering;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One row of a usage answer: a closed window, an hourly or daily roll-up, or a function's running total.
 *
 * @param gbSeconds   mbMillis / 1024 / 1000, exact
 * @param cost        in the tenant plan's currency, scale 10 (the sum of the windows' rounded costs for roll-ups
 *                    and totals)
 * @param availability MTBF / (MTBF + MTTR) over the span, see metering/README.md
 * @param successRatio succeeded attempts / attempts that ran
 */
public record Usage(String tenant, String function, Instant windowStart, Instant windowEnd, long invocations,
        long failures, long billedMillis, long mbMillis, BigDecimal gbSeconds, BigDecimal cost, double availability,
        double successRatio) {
}

package dev.ferry.core.invocation;

import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.Set;

/**
 * The one billing rule for time (docs/design.md, "Billing"; issue 13 part 5): an attempt that ran is billed
 * {@code ceil(durationMicros / 1000)} milliseconds, at least 1 ms; an attempt that never ran is billed 0 ms and
 * is not counted as an invocation. Metering bills with it, and the gateway shows it ({@code Ferry-Billed-Ms},
 * {@code billedMs}, the {@code ferry_billed_gb_seconds_total} meter), so what a caller sees is what is billed.
 *
 * <p>An attempt never ran when its result is {@code REJECTED} or {@code THROTTLED} (it never reached a worker),
 * or when it measured no time at all and its {@code reasonCode} says the function could not start
 * ({@link #NEVER_RAN}: unknown function, payload too large, deadline passed, function unavailable, invalid
 * request). Every other result ran, whatever its status: a failed or timed-out run used its worker.
 */
public final class BilledTime {

    /** Reasons that stop an attempt before the function starts: with no measured time, nothing ran. */
    public static final Set<ReasonCode> NEVER_RAN = EnumSet.of(ReasonCode.UNKNOWN_FUNCTION,
            ReasonCode.PAYLOAD_TOO_LARGE, ReasonCode.DEADLINE_PASSED, ReasonCode.FUNCTION_UNAVAILABLE,
            ReasonCode.INVALID_REQUEST);
    private static final BigDecimal MB_MILLIS_PER_GB_SECOND = BigDecimal.valueOf(1024L * 1000L);

    private BilledTime() {
    }

    /** Whether the attempt this result reports ran (and so is billed and counted). */
    public static boolean ran(InvocationResult result) {
        return ran(result.getStatus(), result.getDurationMicros(), result.getReasonCode());
    }

    /**
     * @param reasonCode the result's wire {@code reasonCode}, null when it simply ran
     */
    public static boolean ran(InvocationStatus status, long durationMicros, String reasonCode) {
        if (status == InvocationStatus.REJECTED || status == InvocationStatus.THROTTLED) {
            return false;
        }
        return durationMicros > 0 || ReasonCode.parse(reasonCode).map(r -> !NEVER_RAN.contains(r)).orElse(true);
    }

    /** The milliseconds billed for this result's attempt: 0 when it never ran. */
    public static long billedMillis(InvocationResult result) {
        return ran(result) ? ranMillis(result.getDurationMicros()) : 0;
    }

    /**
     * The milliseconds billed for an attempt that ran for {@code durationMicros}: {@code ceil(durationMicros /
     * 1000)}, at least 1 (a run too short to measure, or a negative duration from a skewed clock, still used
     * its worker).
     */
    public static long ranMillis(long durationMicros) {
        if (durationMicros <= 0) {
            return 1;
        }
        // Math.ceilDiv is Java 18+; the build targets 17.
        return durationMicros / 1000L + (durationMicros % 1000L == 0 ? 0 : 1);
    }

    /**
     * GB-seconds of {@code mbMillis}: mbMillis / 1024 / 1000, exact (1024000 = 2^13 * 5^3, so the quotient always
     * terminates), without trailing zeros.
     */
    public static BigDecimal gbSeconds(long mbMillis) {
        return BigDecimal.valueOf(mbMillis).divide(MB_MILLIS_PER_GB_SECOND).stripTrailingZeros();
    }
}

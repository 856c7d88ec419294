package dev.ferry.metering.internal;

import dev.ferry.core.config.MeteringConfig.Plan;
import dev.ferry.core.invocation.BilledTime;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Ferry's billing arithmetic, exact: integers for time and memory, {@link BigDecimal} for money. Which attempts
 * ran and how many milliseconds each is billed is core's {@code dev.ferry.core.invocation.BilledTime}, the rule
 * the gateway shows too.
 */
public final class Billing {

    /** The scale of {@code UsageRecord.cost} in the Avro contract. */
    public static final int COST_SCALE = 10;
    /** Bankers' rounding, so rounding errors do not drift one way over many windows. */
    public static final RoundingMode COST_ROUNDING = RoundingMode.HALF_EVEN;

    private static final BigDecimal MB_MILLIS_PER_GB_SECOND = BigDecimal.valueOf(1024L * 1000L);

    private Billing() {
    }

    /**
     * The fields of a result that billing reads, and nothing else: the output, the error text and the worker name
     * are dropped, so what crosses metering's repartition topic is a few hundred bytes whatever the function
     * answered (issue 11: a 1.1 MiB output used to stop metering at the repartition producer's 1 MiB limit). It
     * stays an {@code InvocationResult}, so records already on the repartition topic from an older version still
     * decode after an upgrade.
     */
    public static InvocationResult billable(InvocationResult result) {
        return InvocationResult.newBuilder()
                .setInvocationId(result.getInvocationId())
                .setTenant(result.getTenant())
                .setFunction(result.getFunction())
                .setAttempt(result.getAttempt())
                .setStatus(result.getStatus())
                .setOutput(null)
                .setContentType("")
                .setError(null)
                .setMemoryMb(result.getMemoryMb())
                .setSubmittedAt(result.getSubmittedAt())
                .setStartedAt(result.getStartedAt())
                .setFinishedAt(result.getFinishedAt())
                .setDurationMicros(result.getDurationMicros())
                .setColdStart(result.getColdStart())
                .setWorker(null)
                .setFinal$(result.getFinal$())
                .setReasonCode(result.getReasonCode())
                .build();
    }

    public static boolean failed(InvocationStatus status) {
        return status == InvocationStatus.FAILED || status == InvocationStatus.TIMED_OUT;
    }

    public static long mbMillis(int memoryMb, long billedMillis) {
        return Math.multiplyExact((long) memoryMb, billedMillis);
    }

    /** GB-seconds, by core's one rule ({@link BilledTime#gbSeconds}). */
    public static BigDecimal gbSeconds(long mbMillis) {
        return BilledTime.gbSeconds(mbMillis);
    }

    /**
     * price/GB-s x GB-s + price/request x invocations, computed exactly and rounded once, at the end, to the
     * record's scale.
     */
    public static BigDecimal cost(Plan plan, long mbMillis, long invocations) {
        BigDecimal compute = plan.pricePerGbSecond().multiply(BigDecimal.valueOf(mbMillis))
                .divide(MB_MILLIS_PER_GB_SECOND);
        BigDecimal requests = plan.pricePerRequest().multiply(BigDecimal.valueOf(invocations));
        return compute.add(requests).setScale(COST_SCALE, COST_ROUNDING);
    }
}

package dev.ferry.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A tenant's limits, as written in the tenants file. A null field takes the gateway's default
 * ({@code gateway.quota.*}, {@code gateway.sync.max.payload.bytes}, {@code gateway.async.max.payload.bytes}).
 *
 * <p>The rate, burst and concurrency hold across all the gateways of a cluster, each enforcing its share (issue 15,
 * part 3; docs/design.md, "Quotas across gateways").
 *
 * @param requestsPerSecond sustained invocations and API calls per second (token bucket refill)
 * @param burst requests allowed at once above the sustained rate (token bucket size)
 * @param maxConcurrent invocations of the tenant in flight at a time
 * @param syncMaxPayloadBytes largest payload of a synchronous invoke
 * @param asyncMaxPayloadBytes largest payload of an asynchronous invoke
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Quota(Double requestsPerSecond, Integer burst, Integer maxConcurrent, Integer syncMaxPayloadBytes,
        Integer asyncMaxPayloadBytes) {

    /** Every limit at the gateway's default. */
    public static Quota defaults() {
        return new Quota(null, null, null, null, null);
    }

    public Quota {
        positive("requestsPerSecond", requestsPerSecond);
        positive("burst", burst);
        positive("maxConcurrent", maxConcurrent);
        positive("syncMaxPayloadBytes", syncMaxPayloadBytes);
        positive("asyncMaxPayloadBytes", asyncMaxPayloadBytes);
    }

    private static void positive(String field, Number value) {
        // NaN and Infinity parse as doubles; a rate of either refused every call (a tester, session 8).
        if (value != null && !(value.doubleValue() > 0 && Double.isFinite(value.doubleValue()))) {
            throw new IllegalArgumentException("quota " + field + " must be a positive finite number, got " + value);
        }
    }
}

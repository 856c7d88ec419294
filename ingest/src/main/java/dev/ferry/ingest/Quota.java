package dev.ferry.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ferry.core.config.GatewayConfig;

/**
 * A tenant's limits, as written in the tenants file. A null field takes the gateway's default
 * ({@code gateway.quota.*}, {@code gateway.sync.max.payload.bytes}, {@code gateway.async.max.payload.bytes}).
 *
 * <p>The rate, burst and concurrency hold across all the gateways of a cluster, each enforcing its share (issue 15,
 * part 3; docs/design.md, "Quotas across gateways").
 *
 * <p>Every value is checked here, so the command line ({@code ferry tenants create}), {@link TenantAdmin} and a
 * gateway loading the tenants file refuse the same values, with the same message (a file holding one is refused
 * whole, and the gateway keeps the tenants it had).
 *
 * @param requestsPerSecond sustained invocations and API calls per second (token bucket refill), from
 *        {@value GatewayConfig#MIN_REQUESTS_PER_SECOND} to 1e9 ({@link GatewayConfig#MAX_REQUESTS_PER_SECOND})
 * @param burst requests allowed at once above the sustained rate (token bucket size), at least 1
 * @param maxConcurrent invocations of the tenant in flight at a time, at least 1
 * @param syncMaxPayloadBytes largest payload of a synchronous invoke, at least 1
 * @param asyncMaxPayloadBytes largest payload of an asynchronous invoke, at least 1
 * @throws IllegalArgumentException naming the field, its range and the value, when one is out of range
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Quota(Double requestsPerSecond, Integer burst, Integer maxConcurrent, Integer syncMaxPayloadBytes,
        Integer asyncMaxPayloadBytes) {

    /** Every limit at the gateway's default. */
    public static Quota defaults() {
        return new Quota(null, null, null, null, null);
    }

    public Quota {
        // NaN and Infinity parse as doubles; a rate of either refused every call (a tester, session 8), and one of
        // 1e308 answered every call 500 (session 9): the rate has the range of gateway.quota.requests.per.second.
        if (requestsPerSecond != null && !(requestsPerSecond >= GatewayConfig.MIN_REQUESTS_PER_SECOND
                && requestsPerSecond <= GatewayConfig.MAX_REQUESTS_PER_SECOND)) {
            throw new IllegalArgumentException("quota requestsPerSecond must be a positive finite number from "
                    + GatewayConfig.MIN_REQUESTS_PER_SECOND + " to " + (long) GatewayConfig.MAX_REQUESTS_PER_SECOND
                    + " requests/s, got " + requestsPerSecond);
        }
        atLeastOne("burst", burst);
        atLeastOne("maxConcurrent", maxConcurrent);
        atLeastOne("syncMaxPayloadBytes", syncMaxPayloadBytes);
        atLeastOne("asyncMaxPayloadBytes", asyncMaxPayloadBytes);
    }

    private static void atLeastOne(String field, Integer value) {
        if (value != null && value < 1) {
            throw new IllegalArgumentException("quota " + field + " must be a positive finite number (at least 1), "
                    + "got " + value);
        }
    }
}

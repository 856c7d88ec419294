package dev.ferry.ingest;

import dev.ferry.core.invocation.UsageGranularity;
import dev.ferry.schemas.UsageRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where {@code GET /v1/usage} gets its numbers: metering's query API, wired in by whoever assembles the gateway
 * (the command line). The gateway always passes the authenticated caller's tenant, never user input, so an
 * implementation may trust {@code tenant}.
 *
 * <p>Called on HTTP threads, possibly concurrently; it should answer within a few seconds. An exception becomes
 * a 503 for the caller. Throw {@link dev.ferry.core.RetriableFerryException} for a source that is starting or
 * rebalancing (it passes on its own; the gateway logs it at DEBUG); any other exception is logged at WARN.
 */
@FunctionalInterface
public interface UsageSource {

    /**
     * The tenant's usage rows that start in {@code [from, to)}, optionally of one function only: the closed windows
     * themselves, or their hourly or daily roll-ups ({@code granularity}; issue 13, part 5).
     */
    List<UsageRecord> usage(String tenant, Instant from, Instant to, Optional<String> function,
            UsageGranularity granularity);

    /**
     * Why this source cannot answer right now (its service down or not ready), or empty when it can. The gateway's
     * {@code /readyz} asks at most every two seconds, on its own thread; answer within a few seconds. The default
     * claims to be always able: override it where the source is remote.
     */
    default Optional<String> unavailable() {
        return Optional.empty();
    }
}

package dev.ferry.ingest.internal;

import dev.ferry.core.config.GatewayConfig;
import dev.ferry.ingest.Quota;

/** A tenant's quota with the gateway's defaults filled in. */
public record Limits(double requestsPerSecond, int burst, int maxConcurrent, int syncMaxPayloadBytes,
        int asyncMaxPayloadBytes) {

    public static Limits of(Quota quota, GatewayConfig defaults) {
        Quota q = quota == null ? Quota.defaults() : quota;
        return new Limits(
                q.requestsPerSecond() != null ? q.requestsPerSecond() : defaults.quotaRequestsPerSecond(),
                q.burst() != null ? q.burst() : defaults.quotaBurst(),
                q.maxConcurrent() != null ? q.maxConcurrent() : defaults.quotaMaxConcurrent(),
                q.syncMaxPayloadBytes() != null ? q.syncMaxPayloadBytes() : defaults.syncMaxPayloadBytes(),
                q.asyncMaxPayloadBytes() != null ? q.asyncMaxPayloadBytes() : defaults.asyncMaxPayloadBytes());
    }
}

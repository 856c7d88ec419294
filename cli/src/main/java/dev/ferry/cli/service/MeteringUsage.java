package dev.ferry.cli.service;

import dev.ferry.core.invocation.UsageGranularity;
import dev.ferry.ingest.UsageSource;
import dev.ferry.metering.Usage;
import dev.ferry.metering.UsageQueryClient;
import dev.ferry.schemas.UsageRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The gateway's usage answers, from metering's query API. */
final class MeteringUsage implements UsageSource {

    private final UsageQueryClient client;

    MeteringUsage(UsageQueryClient client) {
        this.client = client;
    }

    @Override
    public List<UsageRecord> usage(String tenant, Instant from, Instant to, Optional<String> function,
            UsageGranularity granularity) {
        // Metering filters by function and rolls up by granularity itself: no row travels only to be dropped.
        return client.usage(tenant, from, to, function.orElse(null), granularity).stream()
                .map(MeteringUsage::record)
                .toList();
    }

    @Override
    public Optional<String> unavailable() {
        return client.unavailable();
    }

    private static UsageRecord record(Usage u) {
        return UsageRecord.newBuilder()
                .setTenant(u.tenant())
                .setFunction(u.function())
                .setWindowStart(u.windowStart())
                .setWindowEnd(u.windowEnd())
                .setInvocations(u.invocations())
                .setFailures(u.failures())
                .setBilledMillis(u.billedMillis())
                .setMbMillis(u.mbMillis())
                .setCost(u.cost())
                .setAvailability(u.availability())
                .build();
    }
}

package dev.ferry.metering.internal;

import dev.ferry.core.invocation.UsageGranularity;
import dev.ferry.metering.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * Reads this instance's share of the usage stores (the tasks it runs). Throws Streams' {@code
 * InvalidStateStoreException} while the stores are not queryable, e.g. during a rebalance.
 */
public final class UsageQueries {

    /** Rows in a stable order: function, then window start. */
    public static final Comparator<Usage> ORDER = Comparator.comparing(Usage::function)
            .thenComparing(Usage::windowStart);

    private final KafkaStreams streams;

    public UsageQueries(KafkaStreams streams) {
        this.streams = streams;
    }

    public static String storeOf(UsageGranularity granularity) {
        return switch (granularity) {
            case WINDOW -> StoreNames.WINDOWS;
            case HOUR -> StoreNames.HOURS;
            case DAY -> StoreNames.DAYS;
        };
    }

    /** Spans starting in {@code [from, to)}, of one function or (function null) of all the tenant's functions. */
    public List<Usage> usage(String tenant, String function, Instant from, Instant to, UsageGranularity granularity) {
        List<Usage> rows = new ArrayList<>();
        if (!to.isAfter(from)) {
            return rows;
        }
        ReadOnlyWindowStore<String, WindowTotals> store = streams.store(StoreQueryParameters.fromNameAndType(
                storeOf(granularity), QueryableStoreTypes.windowStore()));
        Instant last = to.minusMillis(1);
        if (function != null) {
            try (var it = store.fetch(Keys.function(tenant, function), from, last)) {
                it.forEachRemaining(kv -> rows.add(UsageJson.toUsage(kv.value)));
            }
        } else {
            try (KeyValueIterator<Windowed<String>, WindowTotals> it =
                    store.fetch(Keys.tenantFrom(tenant), Keys.tenantTo(tenant), from, last)) {
                it.forEachRemaining(kv -> rows.add(UsageJson.toUsage(kv.value)));
            }
        }
        rows.sort(ORDER);
        return rows;
    }

    /** Running totals since metering started, per function of the tenant (or of one function). */
    public List<Usage> totals(String tenant, String function) {
        ReadOnlyKeyValueStore<String, WindowTotals> store = streams.store(StoreQueryParameters.fromNameAndType(
                StoreNames.TOTALS, QueryableStoreTypes.keyValueStore()));
        List<Usage> rows = new ArrayList<>();
        if (function != null) {
            WindowTotals t = store.get(Keys.function(tenant, function));
            if (t != null) {
                rows.add(UsageJson.toUsage(t));
            }
            return rows;
        }
        try (KeyValueIterator<String, WindowTotals> it = store.range(Keys.tenantFrom(tenant), Keys.tenantTo(tenant))) {
            while (it.hasNext()) {
                KeyValue<String, WindowTotals> kv = it.next();
                rows.add(UsageJson.toUsage(kv.value));
            }
        }
        rows.sort(ORDER);
        return rows;
    }
}

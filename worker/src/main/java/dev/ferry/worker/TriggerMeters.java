package dev.ferry.worker;

import dev.ferry.core.triggers.TriggerRef;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A trigger pool's record counts in the process's registry, {@code ferry_trigger_records_total{tenant,trigger,
 * outcome=read|filtered|answered|failed}} (issue 14 part 3), read from {@link TriggerPool#stats()} at scrape time
 * like {@link PoolMeters}; removed with the pool, so a deleted trigger leaves no stale series.
 */
final class TriggerMeters implements AutoCloseable {

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    TriggerMeters(MeterRegistry registry, TriggerRef ref, TriggerPool pool) {
        this.registry = registry;
        Tags tags = Tags.of("tenant", ref.tenant(), "trigger", ref.name());
        counter(tags.and("outcome", "read"), pool, p -> p.stats().read());
        counter(tags.and("outcome", "filtered"), pool, p -> p.stats().filtered());
        counter(tags.and("outcome", "answered"), pool, p -> p.stats().answered());
        counter(tags.and("outcome", "failed"), pool, p -> p.stats().failed());
    }

    private void counter(Tags tags, TriggerPool pool, ToDoubleFunction<TriggerPool> value) {
        meters.add(FunctionCounter.builder("ferry.trigger.records", pool, value)
                .description("Source records of a trigger by what became of them").tags(tags).register(registry));
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}

package dev.ferry.metering.internal;

import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.invocation.BilledTime;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.UsageRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bills each distinct attempt into its tumbling window and emits one final {@link UsageRecord} per window once the
 * window and its grace period are over.
 *
 * <p>A window closes by stream time (results of later windows arrived) or by wall-clock time when the task has been
 * idle for the grace period, so a tenant that stopped invoking still gets its last window billed. The idle condition
 * keeps a restarted instance from closing windows whose results are still waiting in its backlog. A result whose
 * window is already final is billed in the window open when it arrives. Everything lives
 * in state stores, so under exactly_once_v2 a window's record, its roll-ups and the input offsets commit together.
 */
public final class MeteringProcessor implements Processor<String, InvocationResult, String, UsageRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(MeteringProcessor.class);
    private static final String WATERMARK = "watermark";
    private static final long HOUR_MS = Duration.ofHours(1).toMillis();
    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    private final MeteringConfig settings;
    private final long windowMs;
    private final long graceMs;
    private final long idleMs;

    private ProcessorContext<String, UsageRecord> context;
    private WindowStore<String, Long> dedup;
    private KeyValueStore<String, WindowTotals> open;
    private KeyValueStore<String, Boolean> timeline;
    private WindowStore<String, WindowTotals> windows;
    private WindowStore<String, WindowTotals> hours;
    private WindowStore<String, WindowTotals> days;
    private KeyValueStore<String, WindowTotals> totals;
    private KeyValueStore<String, Long> meta;

    /** Windows whose close time is at or before this are final; a result for one of them is late. Persisted, since
     * a wall-clock close is not repeatable from the input. */
    private long watermark;
    /** The earliest close time of any open window, so most records need no scan of the open windows. */
    private long nextDue;
    private long lastActivity;
    private long lateResults;

    public MeteringProcessor(MeteringConfig settings) {
        this.settings = settings;
        this.windowMs = settings.windowMs();
        this.graceMs = settings.graceMs();
        this.idleMs = Math.max(graceMs, 1000L);
    }

    /** How often the wall clock is checked: often enough for short dev windows, rarely enough to cost nothing. */
    public static Duration wallClockInterval(MeteringConfig settings) {
        return Duration.ofMillis(Math.max(100L, Math.min(1000L, settings.windowMs() / 4)));
    }

    @Override
    public void init(ProcessorContext<String, UsageRecord> context) {
        this.context = context;
        this.dedup = context.getStateStore(StoreNames.DEDUP);
        this.open = context.getStateStore(StoreNames.OPEN);
        this.timeline = context.getStateStore(StoreNames.TIMELINE);
        this.windows = context.getStateStore(StoreNames.WINDOWS);
        this.hours = context.getStateStore(StoreNames.HOURS);
        this.days = context.getStateStore(StoreNames.DAYS);
        this.totals = context.getStateStore(StoreNames.TOTALS);
        this.meta = context.getStateStore(StoreNames.META);
        Long stored = meta.get(WATERMARK);
        this.watermark = stored == null ? Long.MIN_VALUE : stored;
        this.nextDue = earliestCloseTime();
        this.lastActivity = context.currentSystemTimeMs();
        context.schedule(wallClockInterval(settings), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    @Override
    public void process(Record<String, InvocationResult> record) {
        lastActivity = context.currentSystemTimeMs();
        InvocationResult result = record.value();
        if (result == null || !BilledTime.ran(result)) {
            return;
        }
        long finishedAt = record.timestamp();
        String attemptKey = Keys.attempt(result.getTenant(), result.getFunction(), result.getInvocationId(),
                result.getAttempt());
        if (alreadyBilled(attemptKey, finishedAt)) {
            return;
        }
        dedup.put(attemptKey, finishedAt, finishedAt);

        long windowStart = finishedAt - Math.floorMod(finishedAt, windowMs);
        long streamTime = context.currentStreamTimeMs();
        long closedUpTo = Math.max(watermark, streamTime);
        boolean late = windowStart + windowMs + graceMs <= closedUpTo;
        if (late) {
            // Its own window is final already. Dropping it would lose revenue and re-opening the window would emit
            // a second record for it, so it is billed in the window open now (README, "Late results").
            windowStart = closedUpTo - Math.floorMod(closedUpTo, windowMs);
            lateResults++;
            if (lateResults % 1000 == 1) {
                LOG.info("Result {} attempt {} of {}/{} finished at {}, after its window closed; billed in the "
                                + "window starting {} ({} late so far in this task)", result.getInvocationId(),
                        result.getAttempt(), result.getTenant(), result.getFunction(), finishedAt, windowStart,
                        lateResults);
            }
        }
        long windowEnd = windowStart + windowMs;

        String functionKey = Keys.function(result.getTenant(), result.getFunction());
        String windowKey = Keys.openWindow(functionKey, windowStart);
        WindowTotals current = open.get(windowKey);
        if (current == null) {
            current = WindowTotals.open(result.getTenant(), result.getFunction(), windowStart, windowEnd);
            nextDue = Math.min(nextDue, windowEnd + graceMs);
        }
        boolean failed = Billing.failed(result.getStatus());
        long billed = BilledTime.billedMillis(result);
        open.put(windowKey, current.plusAttempt(failed, billed, Billing.mbMillis(result.getMemoryMb(), billed)));
        if (!late) {
            // A late outcome happened outside this window's span, so it cannot say when this window was up or down.
            String point = Keys.timeline(windowKey, finishedAt);
            if (failed) {
                timeline.put(point, Boolean.TRUE);
            } else {
                timeline.putIfAbsent(point, Boolean.FALSE);
            }
        }
        if (streamTime >= nextDue) {
            closeUpTo(streamTime);
        }
    }

    private boolean alreadyBilled(String attemptKey, long finishedAt) {
        long retention = settings.dedupRetentionMs();
        long from = Math.max(0, finishedAt - retention);
        long to = finishedAt > Long.MAX_VALUE - retention ? Long.MAX_VALUE : finishedAt + retention;
        try (WindowStoreIterator<Long> seen = dedup.fetch(attemptKey, from, to)) {
            return seen.hasNext();
        }
    }

    private void onWallClock(long now) {
        if (now >= nextDue && now - lastActivity >= idleMs) {
            closeUpTo(now);
        }
    }

    /** Closes every open window whose grace period is over at {@code time}. */
    private void closeUpTo(long time) {
        List<KeyValue<String, WindowTotals>> due = new ArrayList<>();
        long next = Long.MAX_VALUE;
        try (KeyValueIterator<String, WindowTotals> all = open.all()) {
            while (all.hasNext()) {
                KeyValue<String, WindowTotals> entry = all.next();
                long closesAt = entry.value.windowEnd() + graceMs;
                if (closesAt <= time) {
                    due.add(entry);
                } else {
                    next = Math.min(next, closesAt);
                }
            }
        }
        nextDue = next;
        if (due.isEmpty()) {
            return;
        }
        due.sort(Comparator.comparingLong((KeyValue<String, WindowTotals> e) -> e.value.windowStart())
                .thenComparing(e -> e.key));
        for (KeyValue<String, WindowTotals> entry : due) {
            close(entry.key, entry.value);
        }
        watermark = Math.max(watermark, time);
        meta.put(WATERMARK, watermark);
    }

    private void close(String windowKey, WindowTotals window) {
        Uptime uptime = Uptime.of(drainTimeline(windowKey), window.windowEnd());
        WindowTotals closed = window.closed(
                Billing.cost(settings.planOf(window.tenant()), window.mbMillis(), window.invocations()), uptime);
        open.delete(windowKey);

        String functionKey = Keys.function(window.tenant(), window.function());
        windows.put(functionKey, closed, closed.windowStart());
        rollUp(hours, functionKey, closed, HOUR_MS);
        rollUp(days, functionKey, closed, DAY_MS);
        totals.put(functionKey, closed.plus(totals.get(functionKey)));

        context.forward(new Record<>(Keys.usage(window.tenant(), window.function(), window.windowStart()),
                closed.toUsageRecord(), closed.windowEnd()));
        LOG.debug("Closed window {} with {} invocations, cost {}", windowKey, closed.invocations(), closed.cost());
    }

    private static void rollUp(WindowStore<String, WindowTotals> store, String functionKey, WindowTotals closed,
            long bucketMs) {
        long bucket = closed.windowStart() - Math.floorMod(closed.windowStart(), bucketMs);
        WindowTotals sum = closed.asSpan(bucket, bucket + bucketMs).plus(store.fetch(functionKey, bucket));
        store.put(functionKey, sum, bucket);
    }

    private List<Uptime.Point> drainTimeline(String windowKey) {
        List<Uptime.Point> points = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, Boolean> scan =
                timeline.prefixScan(Keys.timelinePrefix(windowKey), new StringSerializer())) {
            while (scan.hasNext()) {
                KeyValue<String, Boolean> entry = scan.next();
                keys.add(entry.key);
                points.add(new Uptime.Point(Keys.timelineTime(entry.key), entry.value));
            }
        }
        keys.forEach(timeline::delete);
        points.sort(Comparator.comparingLong(Uptime.Point::at));
        return points;
    }

    private long earliestCloseTime() {
        long earliest = Long.MAX_VALUE;
        try (KeyValueIterator<String, WindowTotals> all = open.all()) {
            while (all.hasNext()) {
                earliest = Math.min(earliest, all.next().value.windowEnd() + graceMs);
            }
        }
        return earliest;
    }
}

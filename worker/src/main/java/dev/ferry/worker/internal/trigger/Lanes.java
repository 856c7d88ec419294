package dev.ferry.worker.internal.trigger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;

/**
 * The batcher (DESIGN "Triggers": batchSize, batchWindowMs, ordering): ready records wait in lanes, one lane per
 * source partition ({@code PARTITION}, and every {@code NONE} poll) or per partition and key ({@code KEY}; keyless
 * records share one lane per partition). A lane runs one batch at a time, in offset order; at most
 * {@code concurrency} batches (the function's) run at once. A lane's batch starts when it holds {@code batchSize}
 * records or its oldest record has waited {@code batchWindowMs}.
 *
 * <p>A lane's <em>turn</em> may take up to {@code batchesPerTurn} batches at once: the records of
 * {@link Batch#items()} are then run one batch ({@code batchSize} records) after another by the replica, the next
 * only once the previous has ended, so the lane still runs one batch at a time in offset order and a turn counts as
 * one towards {@code concurrency} (issue 16: one hand-off to the polling thread per turn, not per batch). A turn's
 * last batch is short only when the lane's oldest record has waited {@code batchWindowMs}. Records a turn did not
 * run go back to the front of their lane ({@link #finished(Batch, List)}). Not thread-safe: the polling thread owns
 * it.
 */
public final class Lanes {

    /** A lane's identity; {@code key} is null for a partition lane. */
    public record LaneId(TopicPartition partition, String key) {
    }

    /** A turn taken from a lane, in offset order: one or more batches; hand it back with {@link #finished}. */
    public record Batch(LaneId lane, List<SourceItem> items) {
    }

    private final int batchSize;
    private final int batchesPerTurn;
    private final long windowNanos;
    private final int concurrency;
    private final Map<LaneId, Lane> lanes = new LinkedHashMap<>();
    private int running;
    private int waiting;

    /** Lanes whose turns take one batch each. */
    public Lanes(int batchSize, long windowMs, int concurrency) {
        this(batchSize, windowMs, concurrency, 1);
    }

    /** @param batchesPerTurn how many batches a lane's turn may take at most (at least 1) */
    public Lanes(int batchSize, long windowMs, int concurrency, int batchesPerTurn) {
        this.batchSize = Math.max(1, batchSize);
        this.batchesPerTurn = Math.max(1, batchesPerTurn);
        this.windowNanos = Math.max(0, windowMs) * 1_000_000L;
        this.concurrency = Math.max(1, concurrency);
    }

    public void add(LaneId id, SourceItem item, long nowNanos) {
        Lane lane = lanes.computeIfAbsent(id, Lane::new);
        if (lane.items.isEmpty()) {
            lane.since = nowNanos;
        }
        lane.items.add(item);
        waiting++;
    }

    /** The batches that may start now; each lane it names is running until {@link #finished}. */
    public List<Batch> startable(long nowNanos) {
        List<Batch> batches = new ArrayList<>();
        start(nowNanos, () -> true, batches::add);
        return batches;
    }

    /**
     * Hands each batch that may start now to {@code start}, one at a time, as long as {@code admit} says yes before
     * it (the invoker's bound on stuck runs, issue 11); each lane it names is running until {@link #finished}.
     */
    public void start(long nowNanos, BooleanSupplier admit, Consumer<Batch> start) {
        for (Lane lane : lanes.values()) {
            if (running >= concurrency) {
                break;
            }
            if (lane.running || lane.items.isEmpty()
                    || (lane.items.size() < batchSize && nowNanos - lane.since < windowNanos)) {
                continue;
            }
            if (!admit.getAsBoolean()) {
                break;
            }
            // Whole batches, and the short rest only once the window has passed (or there is none).
            boolean windowPassed = nowNanos - lane.since >= windowNanos;
            int take = Math.min(batchesPerTurn * batchSize,
                    windowPassed ? lane.items.size() : lane.items.size() / batchSize * batchSize);
            List<SourceItem> items = new ArrayList<>(take);
            while (items.size() < take) {
                items.add(lane.items.poll());
            }
            waiting -= items.size();
            lane.since = nowNanos;
            lane.running = true;
            running++;
            lane.current = new Batch(lane.id, items);
            start.accept(lane.current);
        }
    }

    public void finished(Batch batch) {
        finished(batch, List.of());
    }

    /**
     * The turn {@code batch} ended; {@code unrun}, the tail of its records that did not run (in offset order), goes
     * back to the front of the lane. Ignored for a lane forgotten meanwhile.
     */
    public void finished(Batch batch, List<SourceItem> unrun) {
        Lane lane = lanes.get(batch.lane());
        if (lane != null && lane.running && lane.current == batch) {
            for (int i = unrun.size() - 1; i >= 0; i--) {
                lane.items.addFirst(unrun.get(i));
            }
            waiting += unrun.size();
            lane.running = false;
            lane.current = null;
            running--;
            if (lane.items.isEmpty()) {
                lanes.remove(lane.id);
            }
        }
    }

    /** Whether a batch of {@code partition} runs now. */
    public boolean running(TopicPartition partition) {
        return lanes.values().stream().anyMatch(l -> l.running && l.id.partition().equals(partition));
    }

    /** Drops the waiting records of {@code partition}; returns the lowest dropped offset, if any. */
    public OptionalLong dropWaiting(TopicPartition partition) {
        long lowest = Long.MAX_VALUE;
        for (Iterator<Lane> it = lanes.values().iterator(); it.hasNext(); ) {
            Lane lane = it.next();
            if (!lane.id.partition().equals(partition)) {
                continue;
            }
            for (SourceItem item : lane.items) {
                lowest = Math.min(lowest, item.offset());
            }
            waiting -= lane.items.size();
            lane.items.clear();
            if (!lane.running) {
                it.remove();
            }
        }
        return lowest == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(lowest);
    }

    /** Forgets a lost partition's lanes, running ones included (their batches' ends are ignored). */
    public void forget(TopicPartition partition) {
        dropWaiting(partition);
        for (Iterator<Lane> it = lanes.values().iterator(); it.hasNext(); ) {
            Lane lane = it.next();
            if (lane.id.partition().equals(partition)) {
                running--;
                it.remove();
            }
        }
    }

    /** Records waiting for their lane's turn. */
    public int waiting() {
        return waiting;
    }

    /** Batches running now. */
    public int running() {
        return running;
    }

    private static final class Lane {
        final LaneId id;
        final ArrayDeque<SourceItem> items = new ArrayDeque<>();
        long since;
        boolean running;
        Batch current;

        Lane(LaneId id) {
            this.id = id;
        }
    }
}

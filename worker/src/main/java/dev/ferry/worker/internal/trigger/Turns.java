package dev.ferry.worker.internal.trigger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;

/**
 * The lanes' turns running now, for an {@link OrderedTriggerReplica} (docs/design.md section 10, "Where it runs"). A
 * turn is a {@link Lanes.Batch} of up to {@link OrderedTriggerReplica#TURN_RECORDS} records run a batch of the
 * trigger's {@code batchSize} at a time, each batch only once the previous has ended (retries included), so a lane's
 * records run one at a time in offset order. The first batch runs from the polling thread, the others from the end of
 * the previous, on the user thread that ran it ({@link UserThreads}): the polling thread is not woken per batch
 * (issue 16). A turn ends when its records are done, when it was {@linkplain #cut cut} (hand-over, stop, failure),
 * after its time ({@code turnNanos}, one commit interval), or when the invoker admits no more runs; what it did not
 * run ({@link Turn#unrun()}) goes back to its lane.
 *
 * <p>Ended batches wait in {@link #pollFinished()} in the order they ended, without waking the polling thread; an
 * ended turn wakes it ({@link #takeEnded}), after its batches are there. {@link #start}, {@link #takeEnded},
 * {@link #cut} and {@link #clear} are for the polling thread only.
 */
final class Turns {

    private final BatchRunner runner;
    private final BooleanSupplier mayStartRun;
    private final int batchSize;
    private final long turnNanos;
    /** Ended batches, in the order they ended; added to without waking the polling thread. */
    private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
    /** Ended turns: each wakes the polling thread, after its batches are in {@link #finished}. */
    private final LinkedBlockingQueue<Turn> ends = new LinkedBlockingQueue<>();
    /** Turns running now (polling thread only). */
    private final Set<Turn> running = new HashSet<>();
    /** Turns started since the last {@link #clear} (polling thread only). */
    private long started;

    /**
     * @param runner      runs one batch (invoke, classify, retry, bisect)
     * @param mayStartRun whether the invoker admits another run now (stuck runs are bounded, issue 11)
     * @param batchSize   records per batch, at least 1
     * @param turnNanos   how long a turn may go on starting batches, in nanoseconds
     */
    Turns(BatchRunner runner, BooleanSupplier mayStartRun, int batchSize, long turnNanos) {
        this.runner = runner;
        this.mayStartRun = mayStartRun;
        this.batchSize = Math.max(1, batchSize);
        this.turnNanos = turnNanos;
    }

    /** Starts a turn of {@code batch}, whose records' results go to {@code ledger}. */
    void start(Lanes.Batch batch, PartitionLedger ledger) {
        Turn turn = new Turn(batch, ledger, System.nanoTime() + turnNanos);
        running.add(turn);
        started++;
        proceed(turn);
    }

    /**
     * The turns that ended, waiting up to {@code waitMs} for the first (0: not at all); they no longer count as
     * running. Take them before {@link #pollFinished()}: a turn's batches are there before its end is here.
     */
    List<Turn> takeEnded(long waitMs) {
        List<Turn> ended = new ArrayList<>();
        Turn end = waitMs > 0 ? take(waitMs) : ends.poll();
        while (end != null) {
            ended.add(end);
            running.remove(end);
            end = ends.poll();
        }
        return ended;
    }

    /** The next ended batch, or null. */
    Finished pollFinished() {
        return finished.poll();
    }

    /** Cuts the turns running in {@code partitions}: each ends after its current batch. */
    void cut(Collection<TopicPartition> partitions) {
        for (Turn turn : running) {
            if (partitions.contains(turn.batch.lane().partition())) {
                turn.cut = true;
            }
        }
    }

    /** Cuts every running turn. */
    void cutAll() {
        running.forEach(turn -> turn.cut = true);
    }

    /** Cuts every running turn and forgets them and what ended: their records are read again. */
    void clear() {
        cutAll();
        running.clear();
        finished.clear();
        ends.clear();
        started = 0;
    }

    /** Turns started since the last {@link #clear}. */
    long started() {
        return started;
    }

    private void proceed(Turn turn) {
        List<SourceItem> items = turn.batch.items();
        while (true) {
            if (turn.next > 0 && (turn.next >= items.size() || turn.cut || System.nanoTime() - turn.until >= 0
                    || !mayStartRun.getAsBoolean())) {
                turn.unrun = items.subList(turn.next, items.size());
                ends.add(turn);
                return;
            }
            List<SourceItem> part = items.subList(turn.next, Math.min(items.size(), turn.next + batchSize));
            turn.next += part.size();
            CompletableFuture<BatchOutcome> run = runner.run(part);
            if (!run.isDone()) {
                run.whenComplete((outcome, error) -> {
                    if (batchEnded(turn, part, outcome, error)) {
                        proceed(turn);
                    }
                });
                return;
            }
            BatchOutcome outcome = null;
            Throwable error = null;
            try {
                outcome = run.join();
            } catch (CompletionException | CancellationException e) {
                error = e.getCause() != null ? e.getCause() : e;
            }
            if (!batchEnded(turn, part, outcome, error)) {
                return;
            }
        }
    }

    /** Records the end of one batch of {@code turn}; returns whether the turn goes on (false: it ended in error). */
    private boolean batchEnded(Turn turn, List<SourceItem> part, BatchOutcome outcome, Throwable error) {
        finished.add(new Finished(part, turn.batch.lane().partition(), turn.ledger, outcome, error));
        if (error == null) {
            return true;
        }
        turn.unrun = turn.batch.items().subList(turn.next, turn.batch.items().size());
        ends.add(turn);
        return false;
    }

    private Turn take(long waitMs) {
        try {
            return ends.poll(waitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * One ended batch of a turn: its records, in offset order, their partition and the ledger the turn started with
     * (a partition handed over and assigned again has a new one), and the outcome or the error.
     */
    record Finished(List<SourceItem> items, TopicPartition partition, PartitionLedger ledger,
            BatchOutcome outcome, Throwable error) {
    }

    /**
     * A lane's turn in flight. {@code next} and {@code unrun} are written by whichever thread runs the turn at the
     * time, one after another (each batch's end happens before the next step); the polling thread reads
     * {@link #unrun()} after taking the turn from {@link #takeEnded}.
     */
    static final class Turn {
        private final Lanes.Batch batch;
        private final PartitionLedger ledger;
        private final long until;
        private volatile boolean cut;
        private int next;
        private List<SourceItem> unrun = List.of();

        private Turn(Lanes.Batch batch, PartitionLedger ledger, long until) {
            this.batch = batch;
            this.ledger = ledger;
            this.until = until;
        }

        /** The batch the turn was started with. */
        Lanes.Batch batch() {
            return batch;
        }

        /** What the turn did not run, in offset order: it goes back to the front of its lane. */
        List<SourceItem> unrun() {
            return unrun;
        }
    }
}

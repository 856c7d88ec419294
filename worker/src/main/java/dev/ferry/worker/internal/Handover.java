package dev.ferry.worker.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a retiring pool (its function deleted) may answer {@code function_deleted}, and what belongs to the function
 * that takes the name next (docs/design.md, section 6, {@code DELETE}). A record on the work topic was dispatched
 * either for the deleted function or, once the name was created again, for the new one, and the worker process can
 * learn of the new spec after the new function's first calls reach its retiring pool (CI saw such a call answered
 * {@code function_deleted} in FunctionRedeployIT). So a record is the deleted function's to answer only when:
 * <ul>
 *   <li>a function of the other delivery was created under the name and the record lies below where its work
 *   starts ({@link #line}: its {@code workStartOffsets}; at or past it the record is given back at once, since
 *   another group reads it), or</li>
 *   <li>no line is known, and the worker's function catalog, read to an end taken after the record arrived, holds no
 *   function of the name: a call of a function created again is written after that function's spec, so the catalog
 *   read that far would hold it (or it was deleted again, and {@code function_deleted} is its answer too).</li>
 * </ul>
 * A record the catalog shows to be another function's is held, unanswered and unacknowledged, until the service
 * gives the line (it re-decides by it) or closes the pool (it is given back, and the new pool takes it). Holding
 * keeps a share consumer from acquiring it again at once, which would count deliveries toward the broker's limit.
 * Catalog reads are shared: one read answers every record that arrived before it started. Thread-safe.
 */
public final class Handover {

    private static final Logger log = LoggerFactory.getLogger(Handover.class);

    private final String name;
    private final Supplier<? extends CompletionStage<Boolean>> nameTaken;
    private final AtomicReference<List<Long>> line = new AtomicReference<>();
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private volatile boolean closing;
    /** Guarded by this: the name was seen created again (it stays so for this pool's life). */
    private boolean taken;
    private volatile boolean holdLogged;
    private long readStarted;
    private CompletableFuture<Boolean> read;

    /**
     * @param name the pool's name, for the log
     * @param nameTaken reads the function catalog to its current end and tells whether a function of the name is
     *        deployed; completes off the catalog's reader thread
     */
    public Handover(String name, Supplier<? extends CompletionStage<Boolean>> nameTaken) {
        this.name = name;
        this.nameTaken = nameTaken;
    }

    /**
     * Whether {@code record}, received at {@code receivedNanos} (a {@link System#nanoTime()} no earlier than its
     * poll), is the deleted function's to answer; false: give it back unanswered. May complete only once the service
     * gives the {@link #line} or {@link #close}s the pool.
     */
    public CompletableFuture<Boolean> owns(ConsumerRecord<?, ?> record, long receivedNanos) {
        List<Long> known = line.get();
        if (known != null) {
            return CompletableFuture.completedFuture(below(known, record));
        }
        if (closing) {
            return CompletableFuture.completedFuture(false);
        }
        return takenSince(receivedNanos).thenCompose(nowTaken -> {
            if (!nowTaken) {
                return CompletableFuture.completedFuture(true);
            }
            if (!holdLogged) {
                holdLogged = true;
                log.info("[{}] the name was deployed again: holding {} (and whatever else arrives) unanswered until "
                        + "this worker takes in the new spec", name, WorkerResources.where(record));
            }
            return settled.thenCompose(done -> owns(record, receivedNanos));
        });
    }

    /**
     * Where the work of a function of the other delivery created under the name starts, by partition: records
     * below it are the deleted function's, the rest is given back.
     */
    public void line(List<Long> startOffsets) {
        line.set(List.copyOf(startOffsets));
        settled.complete(null);
    }

    /** The pool is closing: what is held is given back. */
    public void close() {
        closing = true;
        settled.complete(null);
    }

    private static boolean below(List<Long> line, ConsumerRecord<?, ?> record) {
        return record.partition() < line.size() && record.offset() < line.get(record.partition());
    }

    private synchronized CompletableFuture<Boolean> takenSince(long receivedNanos) {
        if (taken) {
            return CompletableFuture.completedFuture(true);
        }
        if (read != null && readStarted - receivedNanos >= 0) {
            return read; // started after the record arrived: it answers for it
        }
        long started = System.nanoTime();
        CompletableFuture<Boolean> next = new CompletableFuture<>();
        readStarted = started;
        read = next;
        CompletionStage<Boolean> answer;
        try {
            answer = nameTaken.get();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((nowTaken, error) -> {
            boolean result;
            if (error != null) {
                // Cannot tell: a call of a new function must not be answered function_deleted, so hold it.
                log.warn("[{}] cannot read the function catalog ({}); holding what arrives until the pool closes "
                        + "or the function now deployed under the name is known", name, error.toString());
                result = true;
            } else {
                result = nowTaken;
            }
            synchronized (this) {
                if (result && error == null) {
                    taken = true;
                }
            }
            next.complete(result);
        });
        return next;
    }
}

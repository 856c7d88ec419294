package dev.ferry.worker.internal;

import java.util.ArrayList;
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
 * take the new spec in after the new function's first calls reach its retiring pool (CI saw such a call answered
 * {@code function_deleted} in FunctionRedeployIT). So a record is the deleted function's to answer only when:
 * <ul>
 *   <li>a function of the other delivery was created under the name and the record lies below where its work
 *   starts ({@link #line}: its {@code workStartOffsets}; at or past it the record is given back at once, since
 *   another group reads it), or</li>
 *   <li>no such line is known, and the record lies below the work topic's end offsets listed before a read of the
 *   function catalog to its end that found no function of the name ({@link Reading}): a call of a function created
 *   again is written after that function's spec, so a record written before the listing whose function was created
 *   again would have its spec below the catalog's end (and a name deleted again is {@code function_deleted}
 *   either way). One reading covers a whole backlog; a record past it takes another.</li>
 * </ul>
 * Once a reading finds the name taken, a record not covered is held, unanswered and unacknowledged, until the
 * service gives the line (it is decided by it) or closes the pool (it is given back, and the new pool takes it).
 * Holding keeps a share consumer from acquiring it again at once, which would count deliveries toward the broker's
 * limit. A catalog that cannot be read holds the record too. Thread-safe.
 */
public final class Handover {

    private static final Logger log = LoggerFactory.getLogger(Handover.class);
    /** Readings one record may take before it is held: a reading started after it arrived covers it. */
    private static final int MAX_READINGS = 3;

    /**
     * A reading: the work topic's end offsets by partition, listed first, and whether the function catalog, read to
     * its end after that, holds a function of the name.
     */
    public record Reading(List<Long> workEnds, boolean nameTaken) {
        public Reading {
            workEnds = List.copyOf(workEnds);
        }
    }

    private final String name;
    private final Supplier<? extends CompletionStage<Reading>> reader;
    private final AtomicReference<List<Long>> line = new AtomicReference<>();
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private volatile boolean closing;
    private volatile boolean holdLogged;
    /** Guarded by this: records below these offsets are the deleted function's. */
    private List<Long> confirmed = List.of();
    /** Guarded by this: a reading found the name taken (it stays so for this pool's life). */
    private boolean taken;
    /** Guarded by this: the reading under way, if any. */
    private CompletableFuture<Reading> reading;

    /**
     * @param name the pool's name, for the log
     * @param reader takes a {@link Reading}; completes off the catalog's reader thread; null: no catalog is followed,
     *        so nothing takes the name next and every record is the deleted function's (unless a {@link #line} says
     *        otherwise)
     */
    public Handover(String name, Supplier<? extends CompletionStage<Reading>> reader) {
        this.name = name;
        this.reader = reader;
    }

    /**
     * Whether {@code record} is the deleted function's to answer; false: give it back unanswered. May complete only
     * once the service gives the {@link #line} or {@link #close}s the pool.
     */
    public CompletableFuture<Boolean> owns(ConsumerRecord<?, ?> record) {
        return owns(record, MAX_READINGS);
    }

    private CompletableFuture<Boolean> owns(ConsumerRecord<?, ?> record, int readingsLeft) {
        List<Long> known = line.get();
        if (known != null) {
            return CompletableFuture.completedFuture(below(known, record));
        }
        if (closing) {
            return CompletableFuture.completedFuture(false);
        }
        if (reader == null) {
            return CompletableFuture.completedFuture(true);
        }
        CompletableFuture<Reading> next;
        synchronized (this) {
            if (below(confirmed, record)) {
                return CompletableFuture.completedFuture(true);
            }
            if (taken || readingsLeft == 0) {
                next = null;
            } else {
                next = reading != null ? reading : read();
            }
        }
        if (next == null) {
            return hold(record);
        }
        return next.handle((read, error) -> error).thenCompose(error -> error != null ? hold(record)
                : owns(record, readingsLeft - 1));
    }

    private CompletableFuture<Boolean> hold(ConsumerRecord<?, ?> record) {
        if (!holdLogged) {
            holdLogged = true;
            log.info("[{}] holding {} (and whatever else arrives past what is known to be the deleted function's) "
                    + "unanswered until this worker takes in the function deployed under the name next, or the pool "
                    + "closes", name, WorkerResources.where(record));
        }
        return settled.thenCompose(done -> owns(record, 0));
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

    /** Starts a reading; called holding this. */
    private CompletableFuture<Reading> read() {
        CompletableFuture<Reading> next = new CompletableFuture<>();
        reading = next;
        CompletionStage<Reading> stage;
        try {
            stage = reader.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((read, error) -> {
            synchronized (this) {
                reading = null;
                if (error == null && read.nameTaken()) {
                    taken = true;
                } else if (error == null) {
                    confirmed = max(confirmed, read.workEnds());
                }
            }
            if (error != null) {
                log.warn("[{}] cannot tell whether the name was deployed again ({}); holding what arrives until the "
                        + "pool closes or this worker takes in the function deployed under the name", name,
                        error.toString());
                next.completeExceptionally(error);
            } else {
                next.complete(read);
            }
        });
        return next;
    }

    private static List<Long> max(List<Long> a, List<Long> b) {
        List<Long> result = new ArrayList<>(a.size() >= b.size() ? a : b);
        for (int p = 0; p < Math.min(a.size(), b.size()); p++) {
            result.set(p, Math.max(a.get(p), b.get(p)));
        }
        return List.copyOf(result);
    }
}

package dev.ferry.worker.internal.trigger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A trigger pool's record counts since it started (DESIGN "Triggers": read, filtered, answered, failed), summed over
 * its replicas: every record read ends filtered, answered or failed. A record is counted as filtered, answered or
 * failed once that is final: for PARTITION and KEY when the transaction holding it commits, for NONE when it is
 * acknowledged; so a record re-run after a crash counts once (read counts every fetch). Thread-safe.
 */
public final class TriggerCounters {

    private final AtomicLong read = new AtomicLong();
    private final AtomicLong filtered = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final TriggerCounters parent;

    /** A pool's counters. */
    public TriggerCounters() {
        this(null);
    }

    /** A replica's counters, each count also added to {@code parent} (its pool's). */
    public TriggerCounters(TriggerCounters parent) {
        this.parent = parent;
    }

    public void read(long n) {
        read.addAndGet(n);
        if (parent != null) {
            parent.read(n);
        }
    }

    public void filtered(long n) {
        filtered.addAndGet(n);
        if (parent != null) {
            parent.filtered(n);
        }
    }

    public void answered(long n) {
        answered.addAndGet(n);
        if (parent != null) {
            parent.answered(n);
        }
    }

    public void failed(long n) {
        failed.addAndGet(n);
        if (parent != null) {
            parent.failed(n);
        }
    }

    public long read() {
        return read.get();
    }

    public long filtered() {
        return filtered.get();
    }

    public long answered() {
        return answered.get();
    }

    public long failed() {
        return failed.get();
    }
}

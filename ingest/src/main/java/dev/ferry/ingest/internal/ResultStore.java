package dev.ferry.ingest.internal;

import dev.ferry.schemas.InvocationResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The results {@code GET /v1/invocations/{id}} answers from, bounded by count and by age (oldest out first).
 *
 * <p>It also remembers who owns an invocation that has no result yet, so another tenant gets 404 rather than 202
 * for it. That ownership lives only in memory; after a restart, the owner is the tenant named by the result
 * itself (the store is rebuilt from {@code ferry.results}), and a still-pending id is unknown until its result
 * arrives.
 */
public final class ResultStore {

    /** What is known of one invocation: its owner, and its latest result (null while pending). */
    public record Entry(String tenant, String function, InvocationResult result, Instant since) {
    }

    private final int maxEntries;
    private final long maxBytes;
    private final Duration retention;
    private final Clock clock;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private long bytes;

    /**
     * @param maxBytes bound on the output bytes held: outputs may be megabytes each, so a count alone does not
     *     bound memory
     */
    public ResultStore(int maxEntries, long maxBytes, Duration retention, Clock clock) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.retention = retention;
        this.clock = clock;
    }

    /** Notes that {@code tenant} submitted this invocation, which has no result yet. */
    public synchronized void pending(String invocationId, String tenant, String function) {
        if (!entries.containsKey(invocationId)) {
            entries.put(invocationId, new Entry(tenant, function, null, clock.instant()));
        }
        evict();
    }

    public synchronized void forget(String invocationId) {
        bytes -= size(entries.remove(invocationId));
    }

    /** Keeps the result with the highest attempt; a redelivered older one does not replace a newer one. */
    public synchronized void record(InvocationResult result) {
        Instant finished = result.getFinishedAt() != null ? result.getFinishedAt() : clock.instant();
        if (finished.isBefore(clock.instant().minus(retention))) {
            return;
        }
        String id = result.getInvocationId();
        Entry current = entries.get(id);
        if (current != null && current.result() != null && current.result().getAttempt() > result.getAttempt()) {
            return;
        }
        if (current != null && !current.tenant().equals(result.getTenant())) {
            // Someone reused another tenant's id; the submitter keeps it and the stray result is not shown.
            return;
        }
        bytes -= size(entries.remove(id)); // re-insert at the end: eviction order follows the latest activity
        Entry entry = new Entry(result.getTenant(), result.getFunction(), result, finished);
        entries.put(id, entry);
        bytes += size(entry);
        evict();
    }

    public synchronized Optional<Entry> get(String invocationId) {
        evict();
        Entry entry = entries.get(invocationId);
        if (entry == null || entry.since().isBefore(clock.instant().minus(retention))) {
            return Optional.empty();
        }
        return Optional.of(entry);
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized long bytes() {
        return bytes;
    }

    private static long size(Entry entry) {
        if (entry == null || entry.result() == null || entry.result().getOutput() == null) {
            return 0;
        }
        return entry.result().getOutput().remaining();
    }

    private void evict() {
        Instant oldest = clock.instant().minus(retention);
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Entry> head = it.next();
            if (entries.size() > maxEntries || bytes > maxBytes || head.getValue().since().isBefore(oldest)) {
                bytes -= size(head.getValue());
                it.remove();
            } else {
                break;
            }
        }
    }
}

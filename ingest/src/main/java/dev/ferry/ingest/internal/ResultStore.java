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
 * <p>Every entry is keyed by tenant and invocation id (issue 12): ids are chosen by clients on the Kafka path, so
 * two tenants may use the same one, and each sees only its own. After a restart the store is rebuilt from Kafka:
 * results from {@code ferry.async-results}, and who owns a still-pending asynchronous id from the markers on
 * {@code ferry.accepted} (issue 15, part 4), in whichever order they come: a marker never hides a result.
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
    public synchronized void pending(String tenant, String invocationId, String function) {
        pending(tenant, invocationId, function, clock.instant());
    }

    /**
     * Notes that {@code tenant} submitted this invocation at {@code since} (a marker read back from
     * {@code ferry.accepted}); a result already known is kept, and a marker older than the retention is ignored.
     */
    public synchronized void pending(String tenant, String invocationId, String function, Instant since) {
        if (since.isBefore(clock.instant().minus(retention))) {
            return;
        }
        entries.putIfAbsent(key(tenant, invocationId), new Entry(tenant, function, null, since));
        evict();
    }

    public synchronized void forget(String tenant, String invocationId) {
        bytes -= size(entries.remove(key(tenant, invocationId)));
    }

    /**
     * Keeps the result with the highest attempt; a redelivered older one does not replace a newer one.
     *
     * @return whether the result is news: not expired, and no result of this attempt or a later one was held. A
     *     gateway reads a result twice when it passes its own reply on to {@code ferry.async-results} (a synchronous
     *     call answered 502 or 504); its statistics count only news.
     */
    public synchronized boolean record(InvocationResult result) {
        Instant finished = result.getFinishedAt() != null ? result.getFinishedAt() : clock.instant();
        if (finished.isBefore(clock.instant().minus(retention))) {
            return false;
        }
        String id = key(result.getTenant(), result.getInvocationId());
        Entry current = entries.get(id);
        if (current != null && current.result() != null && current.result().getAttempt() > result.getAttempt()) {
            return false;
        }
        boolean news = current == null || current.result() == null
                || current.result().getAttempt() < result.getAttempt();
        bytes -= size(entries.remove(id)); // re-insert at the end: eviction order follows the latest activity
        Entry entry = new Entry(result.getTenant(), result.getFunction(), result, finished);
        entries.put(id, entry);
        bytes += size(entry);
        evict();
        return news;
    }

    /** What {@code tenant} may see of this id: only its own invocation, never another tenant's of the same id. */
    public synchronized Optional<Entry> get(String tenant, String invocationId) {
        evict();
        Entry entry = entries.get(key(tenant, invocationId));
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

    /** A tenant name never holds '/' (docs/design.md's name rule), so no two (tenant, id) pairs share a key. */
    private static String key(String tenant, String invocationId) {
        return tenant + "/" + invocationId;
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

package dev.ferry.ingest.internal;

import dev.ferry.core.triggers.TriggerDirectory;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.schemas.TriggerSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Lets a trigger's PUT or DELETE answer only once this gateway's own {@link TriggerDirectory} shows the change, so
 * the caller's next GET sees what it wrote (as {@link DirectoryWatch} does for functions).
 */
public final class TriggerWatch implements TriggerDirectory.Listener {

    private record Expectation(Predicate<TriggerSpec> matches, CompletableFuture<Void> seen) {
    }

    private final Map<TriggerRef, List<Expectation>> expectations = new ConcurrentHashMap<>();

    /** Completes when the directory holds {@code spec} (or a newer version of the trigger). */
    public CompletableFuture<Void> awaitPut(TriggerSpec spec) {
        TriggerRef ref = new TriggerRef(spec.getTenant(), spec.getName());
        return expect(ref, s -> s.equals(spec) || s.getUpdatedAt().isAfter(spec.getUpdatedAt()));
    }

    /** Completes when the directory no longer holds the trigger. */
    public CompletableFuture<Void> awaitRemoved(TriggerRef ref) {
        return expect(ref, null);
    }

    private CompletableFuture<Void> expect(TriggerRef ref, Predicate<TriggerSpec> matches) {
        CompletableFuture<Void> seen = new CompletableFuture<>();
        expectations.computeIfAbsent(ref, r -> new CopyOnWriteArrayList<>()).add(new Expectation(matches, seen));
        seen.whenComplete((v, e) -> {
            List<Expectation> list = expectations.get(ref);
            if (list != null) {
                list.removeIf(x -> x.seen() == seen);
            }
        });
        return seen;
    }

    @Override
    public void upserted(TriggerRef ref, TriggerSpec spec) {
        List<Expectation> list = expectations.get(ref);
        if (list != null) {
            list.stream().filter(e -> e.matches() != null && e.matches().test(spec))
                    .forEach(e -> e.seen().complete(null));
        }
    }

    @Override
    public void removed(TriggerRef ref) {
        List<Expectation> list = expectations.get(ref);
        if (list != null) {
            list.stream().filter(e -> e.matches() == null).forEach(e -> e.seen().complete(null));
        }
    }
}

package dev.ferry.ingest.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.schemas.FunctionSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Lets a deploy or delete answer only once the directory this gateway reads (its process's) shows the change, so
 * the caller's next request (an invoke, a GET) sees what it just wrote.
 */
public final class DirectoryWatch implements FunctionDirectory.Listener {

    private record Expectation(Predicate<FunctionSpec> matches, CompletableFuture<Void> seen) {
    }

    private final Map<FunctionRef, List<Expectation>> expectations = new ConcurrentHashMap<>();

    /** Completes when the directory holds {@code spec} (a later different version does too: it is newer). */
    public CompletableFuture<Void> awaitDeployed(FunctionSpec spec) {
        return expect(new FunctionRef(spec.getTenant(), spec.getName()), s -> s.equals(spec)
                || s.getUpdatedAt().isAfter(spec.getUpdatedAt()));
    }

    /** Completes when the directory no longer holds the function. */
    public CompletableFuture<Void> awaitRemoved(FunctionRef ref) {
        return expect(ref, null);
    }

    public void cancel(FunctionRef ref, CompletableFuture<Void> seen) {
        List<Expectation> list = expectations.get(ref);
        if (list != null) {
            list.removeIf(e -> e.seen() == seen);
        }
    }

    private CompletableFuture<Void> expect(FunctionRef ref, Predicate<FunctionSpec> matches) {
        CompletableFuture<Void> seen = new CompletableFuture<>();
        expectations.computeIfAbsent(ref, r -> new CopyOnWriteArrayList<>()).add(new Expectation(matches, seen));
        seen.whenComplete((v, e) -> cancel(ref, seen));
        return seen;
    }

    @Override
    public void deployed(FunctionSpec spec) {
        List<Expectation> list = expectations.get(new FunctionRef(spec.getTenant(), spec.getName()));
        if (list != null) {
            list.stream().filter(e -> e.matches() != null && e.matches().test(spec))
                    .forEach(e -> e.seen().complete(null));
        }
    }

    @Override
    public void removed(FunctionRef ref) {
        List<Expectation> list = expectations.get(ref);
        if (list != null) {
            list.stream().filter(e -> e.matches() == null).forEach(e -> e.seen().complete(null));
        }
    }
}

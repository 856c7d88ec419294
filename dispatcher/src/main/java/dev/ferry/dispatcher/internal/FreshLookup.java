package dev.ferry.dispatcher.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.FunctionSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Looks functions up in the live directory, giving a function it does not know a short grace before it is called
 * unknown. A client that deploys and then invokes at once races the directory's reader (it polls every half
 * second); without the grace its first invocations would be rejected although the deploy had been acknowledged.
 *
 * <p>The grace is spent at most once per function per {@code window}, so a stream of invocations for a function
 * that really does not exist costs one short pause, not one per record. Used by the routing thread only.
 */
public final class FreshLookup implements Function<FunctionRef, Optional<FunctionSpec>> {

    private static final long POLL_NANOS = Duration.ofMillis(20).toNanos();

    private final Function<FunctionRef, Optional<FunctionSpec>> directory;
    private final long graceNanos;
    private final long windowNanos;
    private final Map<FunctionRef, Long> lastGrace = new HashMap<>();

    public FreshLookup(Function<FunctionRef, Optional<FunctionSpec>> directory, Duration grace, Duration window) {
        this.directory = directory;
        this.graceNanos = grace.toNanos();
        this.windowNanos = window.toNanos();
    }

    @Override
    public Optional<FunctionSpec> apply(FunctionRef ref) {
        Optional<FunctionSpec> spec = directory.apply(ref);
        if (spec.isPresent() || graceNanos <= 0) {
            return spec;
        }
        long now = System.nanoTime();
        Long last = lastGrace.get(ref);
        if (last != null && now - last < windowNanos) {
            return spec;
        }
        lastGrace.put(ref, now);
        if (lastGrace.size() > 10_000) {
            lastGrace.clear(); // a flood of made-up names must not grow this map without bound
        }
        long until = now + graceNanos;
        while (spec.isEmpty() && System.nanoTime() < until) {
            try {
                Thread.sleep(Duration.ofNanos(POLL_NANOS).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return spec;
            }
            spec = directory.apply(ref);
        }
        return spec;
    }
}

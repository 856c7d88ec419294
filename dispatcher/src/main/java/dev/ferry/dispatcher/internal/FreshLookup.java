package dev.ferry.dispatcher.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.FunctionSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Looks functions up in the live directory, giving a function it does not know a short grace before it is called
 * unknown. A client that deploys and then invokes at once races the directory's reader (it polls every half
 * second); without the grace its first invocations would be rejected although the deploy had been acknowledged.
 *
 * <p>The grace is spent again for a function only when the catalog has changed since the last one (its end offset
 * moved), so a stream of invocations for a function that really does not exist costs no pause, while a deploy made
 * after a rejection is still waited for. The end offset is read once per poll batch, after the poll: every record
 * of the batch was produced before that read, so any deploy acknowledged before one of them lies below it. Used by
 * the routing thread only.
 */
public final class FreshLookup implements Function<FunctionRef, Optional<FunctionSpec>> {

    private static final long POLL_MILLIS = 20;
    private static final int MAX_REMEMBERED = 10_000;

    private final Function<FunctionRef, Optional<FunctionSpec>> directory;
    private final LongSupplier catalogEnd;
    private final long graceNanos;
    private final Map<FunctionRef, Long> catalogEndAtLastGrace = new HashMap<>();
    private boolean endOfBatchRead;
    private OptionalLong endOfBatch = OptionalLong.empty();

    /**
     * @param catalogEnd the end offset of {@code ferry.functions} now; may throw when the broker cannot say
     */
    public FreshLookup(Function<FunctionRef, Optional<FunctionSpec>> directory, LongSupplier catalogEnd,
            Duration grace) {
        this.directory = directory;
        this.catalogEnd = catalogEnd;
        this.graceNanos = grace.toNanos();
    }

    @Override
    public Optional<FunctionSpec> apply(FunctionRef ref) {
        Optional<FunctionSpec> spec = directory.apply(ref);
        if (spec.isPresent() || graceNanos <= 0) {
            return spec;
        }
        Long before = catalogEndAtLastGrace.get(ref);
        OptionalLong current = catalogEndOfBatch();
        if (current.isEmpty() && before != null) {
            return spec; // cannot tell whether anything was deployed: wait only for a function never waited for
        }
        long end = current.orElse(Long.MIN_VALUE);
        if (before != null && before == end) {
            return spec;
        }
        if (catalogEndAtLastGrace.size() >= MAX_REMEMBERED) {
            catalogEndAtLastGrace.clear(); // a flood of made-up names must not grow this map without bound
        }
        catalogEndAtLastGrace.put(ref, end);
        return waitFor(ref);
    }

    /** Call after each poll, before its records are routed. */
    public void newBatch() {
        endOfBatchRead = false;
    }

    private OptionalLong catalogEndOfBatch() {
        if (!endOfBatchRead) {
            endOfBatchRead = true;
            try {
                endOfBatch = OptionalLong.of(catalogEnd.getAsLong());
            } catch (RuntimeException e) {
                endOfBatch = OptionalLong.empty();
            }
        }
        return endOfBatch;
    }

    private Optional<FunctionSpec> waitFor(FunctionRef ref) {
        long until = System.nanoTime() + graceNanos;
        Optional<FunctionSpec> spec = Optional.empty();
        while (spec.isEmpty() && System.nanoTime() < until) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return spec;
            }
            spec = directory.apply(ref);
        }
        return spec;
    }
}

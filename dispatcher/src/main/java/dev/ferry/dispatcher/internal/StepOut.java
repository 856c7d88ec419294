package dev.ferry.dispatcher.internal;

import dev.ferry.schemas.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * When a dispatcher steps out of its group, and when it may come back (a tester, session 12: a dispatcher that lost
 * its schema registry kept its partitions of {@code ferry.invocations}, failed the same batch every 5 s for good,
 * and stalled every call hashed there while it reported healthy).
 *
 * <p>A batch that fails is aborted, rewound and retried ({@link DispatchLoop}). Once {@code failures} attempts in a
 * row have failed and at least {@code window} has passed since the first of them, retrying here is taken not to
 * help: the instance steps out, so that the others (whose registry, say, works) route its partitions. It comes back
 * when what failed works again: for a registry failure ({@link #registryFailure}) once the registry answers; for any
 * other, after {@code window} out, to try again. A success in between starts the count over. {@code failures} 0
 * never steps out.
 *
 * <p>Pure decisions on a monotonic clock in nanoseconds (System::nanoTime in service), so tests drive the time.
 * Used by the routing thread only.
 */
public final class StepOut {

    private final int failures;
    private final long windowNanos;
    private final LongSupplier nanos;
    private int failedInARow;
    private long firstFailedAt;
    private long outSince;

    /**
     * @param failures attempts in a row that must have failed ({@code dispatcher.step.out.failures}); 0: never
     * @param window how long they must have been failing, and how long to stay out after a failure that is not the
     *     registry's ({@code dispatcher.step.out.window.ms})
     * @param nanos a monotonic clock, in nanoseconds
     */
    public StepOut(int failures, Duration window, LongSupplier nanos) {
        if (failures < 0 || window.isNegative()) {
            throw new IllegalArgumentException("failures and window must not be negative");
        }
        this.failures = failures;
        this.windowNanos = window.toNanos();
        this.nanos = nanos;
    }

    /** Never steps out. */
    public static StepOut never() {
        return new StepOut(0, Duration.ZERO, System::nanoTime);
    }

    /** A batch was committed: the count starts over. */
    public void succeeded() {
        failedInARow = 0;
    }

    /**
     * An attempt of a batch failed.
     *
     * @return true when the instance should step out now; the time out starts then
     */
    public boolean failed() {
        long now = nanos.getAsLong();
        if (failedInARow++ == 0) {
            firstFailedAt = now;
        }
        if (failures > 0 && failedInARow >= failures && now - firstFailedAt >= windowNanos) {
            outSince = now;
            return true;
        }
        return false;
    }

    /** Failed attempts since the last success. */
    public int failedInARow() {
        return failedInARow;
    }

    /** How long the attempts have been failing, from the first of them. */
    public Duration failingFor() {
        return failedInARow == 0 ? Duration.ZERO : Duration.ofNanos(nanos.getAsLong() - firstFailedAt);
    }

    /** How long a failure that is not the registry's keeps the instance out. */
    public Duration window() {
        return Duration.ofNanos(windowNanos);
    }

    /**
     * Whether an instance that stepped out may come back now.
     *
     * @param registryCause whether it stepped out on a registry failure ({@link #registryFailure})
     * @param registryAnswers whether the registry answers now (asked only for a registry failure)
     */
    public boolean mayRejoin(boolean registryCause, java.util.function.BooleanSupplier registryAnswers) {
        boolean back = registryCause ? registryAnswers.getAsBoolean() : nanos.getAsLong() - outSince >= windowNanos;
        if (back) {
            failedInARow = 0;
        }
        return back;
    }

    /** Whether {@code failure} is the schema registry's, not the record's (see {@link SchemaRegistryException}). */
    public static boolean registryFailure(Throwable failure) {
        return SchemaRegistryException.unavailable(failure);
    }
}

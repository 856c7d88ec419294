package dev.ferry.ingest.internal;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code burst} tokens at most, refilled at {@code ratePerSecond}. Time comes from a nanosecond
 * supplier so tests can drive it.
 */
public final class TokenBucket {

    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    private double ratePerNano;
    private double capacity;
    private final LongSupplier nanoTime;
    private double tokens;
    private long lastRefill;

    public TokenBucket(double ratePerSecond, int burst, LongSupplier nanoTime) {
        this(ratePerSecond, (double) burst, nanoTime);
    }

    /** A bucket of a fractional size (a gateway's share of a tenant's burst), at least 1. */
    public TokenBucket(double ratePerSecond, double burst, LongSupplier nanoTime) {
        check(ratePerSecond, burst);
        this.ratePerNano = ratePerSecond / NANOS_PER_SECOND;
        this.capacity = burst;
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.lastRefill = nanoTime.getAsLong();
    }

    /**
     * Changes the refill rate and the size from now on (a gateway's share of the tenant's quota changed): what was
     * earned at the old rate is kept, up to the new size; a larger size fills only at the new rate, so a change of
     * share never hands out tokens at once.
     */
    public synchronized void resize(double ratePerSecond, double burst) {
        check(ratePerSecond, burst);
        refill();
        ratePerNano = ratePerSecond / NANOS_PER_SECOND;
        capacity = burst;
        tokens = Math.min(tokens, capacity);
    }

    /**
     * Takes one token if there is one.
     *
     * @return 0 when a token was taken, else the nanoseconds until one will be available (never 0)
     */
    public synchronized long tryTake() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / ratePerNano));
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(capacity, tokens + (now - lastRefill) * ratePerNano);
        lastRefill = now;
    }

    /** NaN and Infinity fail too: a bucket of either would refuse, or admit, everything. */
    private static void check(double ratePerSecond, double burst) {
        if (!(ratePerSecond > 0 && Double.isFinite(ratePerSecond)) || !(burst >= 1 && Double.isFinite(burst))) {
            throw new IllegalArgumentException("rate must be positive and finite and burst at least 1, got "
                    + ratePerSecond + " and " + burst);
        }
    }
}

package dev.ferry.worker.internal;

/**
 * The retry delay after a failed attempt: {@code base} after the first, doubling with each further one, capped at
 * {@code max}. Delays are discrete (one retry topic per distinct delay), which is why a fixed doubling is used
 * rather than jitter.
 */
public record Backoff(long baseMs, long maxMs) {

    public Backoff {
        if (baseMs < 0 || maxMs < 0) {
            throw new IllegalArgumentException("Backoff delays must not be negative: base " + baseMs + ", max " + maxMs);
        }
    }

    /** The delay before attempt {@code failedAttempt + 1}. */
    public long delayAfter(int failedAttempt) {
        if (failedAttempt < 1) {
            throw new IllegalArgumentException("Attempts count from 1, got " + failedAttempt);
        }
        long delay = baseMs;
        for (int i = 1; i < failedAttempt && delay < maxMs; i++) {
            delay = delay > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : delay * 2;
        }
        return Math.min(delay, maxMs);
    }
}

package dev.ferry.autoscaler;

/**
 * What a {@link ScalingPolicy} asks for: a replica count, the part of it that is sustained, and the reason in words
 * a user reads in {@code ScalingDecision.reason} (e.g. {@code "lag 120 / 10 per replica = 12, capped by
 * maxReplicas 10"}).
 *
 * <p>{@code sustained} is what keeps up with the load itself (the arrival rate); the rest of {@code replicas} only
 * drains a backlog or meets a forecast, and is released as soon as that need has passed. The stabilization window
 * holds the sustained part only: holding the drain replicas of a burst for the whole window is what makes
 * lag-only autoscalers expensive on bursty topics.
 */
public record Recommendation(int replicas, int sustained, String reason) {

    public Recommendation {
        if (replicas < 0 || sustained < 0 || sustained > replicas) {
            throw new IllegalArgumentException("need 0 <= sustained <= replicas, got sustained " + sustained
                    + " of " + replicas);
        }
    }

    /** A recommendation held whole by the stabilization window: a policy that knows no rate. */
    public Recommendation(int replicas, String reason) {
        this(replicas, replicas, reason);
    }
}

package dev.ferry.autoscaler;

/**
 * What a {@link ScalingPolicy} asks for: a replica count and the reason, in words a user reads in
 * {@code ScalingDecision.reason} (e.g. {@code "lag 120 / 10 per replica = 12, capped by maxReplicas 10"}).
 */
public record Recommendation(int replicas, String reason) {

    public Recommendation {
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must not be negative, got " + replicas);
        }
    }
}

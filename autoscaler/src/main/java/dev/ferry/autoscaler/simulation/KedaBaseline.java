package dev.ferry.autoscaler.simulation;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * KEDA's Kafka scaler in front of a Kubernetes HPA, with their defaults: the lag is read every 30 s
 * ({@code pollingInterval}); the HPA asks {@code ceil(lag / lagThreshold)} replicas, the lag capped at
 * {@code partitions × lagThreshold} ({@code allowIdleConsumers: false}); no change while the ratio of actual to
 * target is within the HPA's 10 % tolerance; scale-up at once, scale-down to the highest recommendation of the last
 * 300 s (the HPA's downscale stabilization); zero lag deactivates the scaler and, after the 300 s
 * {@code cooldownPeriod}, scales to zero; the first lag after that activates one replica.
 */
final class KedaBaseline implements SimulatedScaler {

    static final int POLL_SECONDS = 30;
    static final int STABILIZATION_SECONDS = 300;
    static final int COOLDOWN_SECONDS = 300;
    static final double TOLERANCE = 0.1;

    private record Vote(double at, int replicas) {
    }

    private final int lagThreshold;
    private final int partitions;
    private final int maxReplicas;
    private final Deque<Vote> votes = new ArrayDeque<>();
    private int current;
    private double lastActive = Double.NEGATIVE_INFINITY;

    KedaBaseline(int lagThreshold, int partitions, int maxReplicas) {
        this.lagThreshold = lagThreshold;
        this.partitions = partitions;
        this.maxReplicas = maxReplicas;
    }

    @Override
    public String name() {
        return "KEDA";
    }

    @Override
    public int observe(Observation o) {
        if (Math.round(o.now()) % POLL_SECONDS != 0) {
            return current;
        }
        boolean active = o.lag() > 0;
        if (active) {
            lastActive = o.now();
        }
        if (current == 0) {
            current = active ? 1 : 0;
            return current;
        }
        if (!active && o.now() - lastActive >= COOLDOWN_SECONDS) {
            votes.clear();
            current = 0;
            return current;
        }
        long metric = Math.min(o.lag(), (long) partitions * lagThreshold);
        int raw = (int) Math.ceil((double) metric / lagThreshold);
        double ratio = (double) metric / ((double) current * lagThreshold);
        if (Math.abs(ratio - 1) <= TOLERANCE) {
            raw = current;
        }
        raw = Math.max(1, Math.min(maxReplicas, raw));
        votes.addLast(new Vote(o.now(), raw));
        while (votes.peekFirst().at() < o.now() - STABILIZATION_SECONDS) {
            votes.removeFirst();
        }
        int highest = votes.stream().mapToInt(Vote::replicas).max().orElse(raw);
        current = raw >= current ? raw : Math.min(current, highest);
        return current;
    }
}

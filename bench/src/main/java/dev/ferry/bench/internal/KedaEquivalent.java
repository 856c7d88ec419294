package dev.ferry.bench.internal;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * KEDA's Kafka scaler in front of a Kubernetes HPA, as documented, with every time constant divided by
 * {@code compression} (KEDA polls every 30 s; the HPA scales down to the highest recommendation of the last 300 s;
 * the scaler deactivates to zero after a 300 s cooldown). The HPA asks {@code ceil(lag / lagThreshold)} replicas,
 * the lag capped at {@code partitions x lagThreshold} ({@code allowIdleConsumers: false}), keeps the size while the
 * ratio is within its 10 % tolerance, and scales up at once. Written for the bench from KEDA's and the HPA's
 * documentation, as the autoscaler module's simulator baseline is; both are fed the same real lag samples here.
 */
final class KedaEquivalent {

    static final double POLL_SECONDS = 30;
    static final double STABILIZATION_SECONDS = 300;
    static final double COOLDOWN_SECONDS = 300;
    static final double TOLERANCE = 0.1;

    private record Vote(double at, int replicas) {
    }

    private final int lagThreshold;
    private final int partitions;
    private final int maxReplicas;
    private final double poll;
    private final double stabilization;
    private final double cooldown;
    private final Deque<Vote> votes = new ArrayDeque<>();
    private double nextPoll = 0;
    private double lastActive = Double.NEGATIVE_INFINITY;
    private int current;

    KedaEquivalent(int lagThreshold, int partitions, int maxReplicas, int initial, double compression) {
        this.lagThreshold = lagThreshold;
        this.partitions = partitions;
        this.maxReplicas = maxReplicas;
        this.current = initial;
        this.poll = POLL_SECONDS / compression;
        this.stabilization = STABILIZATION_SECONDS / compression;
        this.cooldown = COOLDOWN_SECONDS / compression;
    }

    /** The size after a lag reading {@code now} seconds into the run; changes only on its own polling interval. */
    int observe(double now, long lag) {
        if (now < nextPoll) {
            return current;
        }
        nextPoll = now + poll;
        boolean active = lag > 0;
        if (active) {
            lastActive = now;
        }
        if (current == 0) {
            current = active ? 1 : 0;
            return current;
        }
        if (!active && now - lastActive >= cooldown) {
            votes.clear();
            current = 0;
            return current;
        }
        long metric = Math.min(lag, (long) partitions * lagThreshold);
        int raw = (int) Math.ceil((double) metric / lagThreshold);
        double ratio = (double) metric / ((double) current * lagThreshold);
        if (Math.abs(ratio - 1) <= TOLERANCE) {
            raw = current;
        }
        raw = Math.max(1, Math.min(maxReplicas, raw));
        votes.addLast(new Vote(now, raw));
        while (votes.peekFirst().at() < now - stabilization) {
            votes.removeFirst();
        }
        int highest = votes.stream().mapToInt(Vote::replicas).max().orElse(raw);
        current = raw >= current ? raw : Math.min(current, highest);
        return current;
    }
}

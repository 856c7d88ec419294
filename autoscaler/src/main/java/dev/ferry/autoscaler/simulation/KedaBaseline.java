package dev.ferry.autoscaler.simulation;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * KEDA's Kafka scaler in front of a Kubernetes HPA, with their defaults. Two clocks, as in a cluster: KEDA's operator
 * reads the lag every 30 s ({@code pollingInterval}) and decides only activation, 0 → 1, and, after the 300 s
 * {@code cooldownPeriod} without lag, 1 → 0; between 1 and N the HPA decides, reading the lag through KEDA's
 * metrics adapter at each of its own syncs, every 15 s ({@code --horizontal-pod-autoscaler-sync-period}). The HPA
 * asks {@code ceil(lag / lagThreshold)} replicas, the lag capped at {@code partitions × lagThreshold}
 * ({@code allowIdleConsumers: false}); no change while the ratio of actual to target is within its 10 % tolerance;
 * scale-up at once but by at most its default policies allow in a sync (the larger of doubling and 4 more pods);
 * scale-down to the highest recommendation of the last 300 s (its downscale stabilization).
 *
 * <p>Until issue 16 the model let KEDA's 30 s polling pace 1 ↔ N as well, which made KEDA slower than a cluster
 * runs it, and it had no scale-up limit, which made it faster; both now follow the defaults above.
 *
 * <p>The simulator runs it at KEDA's own time scale; the benchmark runs it against a real broker with every time
 * constant divided by a compression factor, so a step of load fits in a minute.
 */
public final class KedaBaseline implements SimulatedScaler {

    static final int POLL_SECONDS = 30;
    static final int HPA_SYNC_SECONDS = 15;
    /** The HPA's default scale-up policies, the larger applying: 100 % more, or 4 more pods, per sync. */
    static final int SCALE_UP_PODS = 4;
    static final int STABILIZATION_SECONDS = 300;
    static final int COOLDOWN_SECONDS = 300;
    static final double TOLERANCE = 0.1;
    /** Readings come at whole seconds, which floating-point steps may miss by a hair. */
    private static final double EPSILON = 1e-6;

    private record Vote(double at, int replicas) {
    }

    private final int lagThreshold;
    private final int partitions;
    private final int maxReplicas;
    private final double poll;
    private final double sync;
    private final double stabilization;
    private final double cooldown;
    private final Deque<Vote> votes = new ArrayDeque<>();
    private int current;
    private double nextPoll;
    private double nextSync;
    private double lastActive = Double.NEGATIVE_INFINITY;

    /** KEDA at its own time scale, starting from zero replicas. */
    public KedaBaseline(int lagThreshold, int partitions, int maxReplicas) {
        this(lagThreshold, partitions, maxReplicas, 0, 1.0);
    }

    /**
     * @param initial the replicas running before the first reading
     * @param compression every time constant (polling, stabilization, cooldown) is divided by this
     */
    public KedaBaseline(int lagThreshold, int partitions, int maxReplicas, int initial, double compression) {
        this.lagThreshold = lagThreshold;
        this.partitions = partitions;
        this.maxReplicas = maxReplicas;
        this.current = initial;
        this.poll = POLL_SECONDS / compression;
        this.sync = HPA_SYNC_SECONDS / compression;
        this.stabilization = STABILIZATION_SECONDS / compression;
        this.cooldown = COOLDOWN_SECONDS / compression;
    }

    @Override
    public String name() {
        return "KEDA";
    }

    @Override
    public int observe(Observation o) {
        return observe(o.now(), o.lag());
    }

    /**
     * The size after a lag reading {@code now} seconds into the run; KEDA acts only on its polling interval, the HPA
     * only on its sync period.
     */
    public int observe(double now, long lag) {
        boolean active = lag > 0;
        if (now + EPSILON >= nextPoll) {
            nextPoll = now + poll;
            if (lastActive == Double.NEGATIVE_INFINITY && current > 0) {
                // A pool already running when KEDA takes it over (the benchmark's, at one replica) counts its
                // cooldown from then (initialCooldownPeriod 0: "the cooldownPeriod begins immediately upon
                // creation"), not as idle forever: a first reading taken before any record arrived scaled it to
                // zero at once.
                lastActive = now;
            }
            if (active) {
                lastActive = now;
            }
            if (current == 0) {
                // Activation: one replica now; the HPA sizes it from its next sync on.
                current = active ? 1 : 0;
                nextSync = now + sync;
                return current;
            }
            if (!active && now - lastActive + EPSILON >= cooldown) {
                votes.clear();
                current = 0;
                return current;
            }
        }
        if (current == 0 || now + EPSILON < nextSync) {
            return current;
        }
        nextSync = now + sync;
        long metric = Math.min(lag, (long) partitions * lagThreshold);
        int raw = (int) Math.ceil((double) metric / lagThreshold);
        double ratio = (double) metric / ((double) current * lagThreshold);
        if (Math.abs(ratio - 1) <= TOLERANCE) {
            raw = current;
        }
        raw = Math.max(1, Math.min(maxReplicas, raw));
        votes.addLast(new Vote(now, raw));
        while (votes.peekFirst().at() < now - stabilization - EPSILON) {
            votes.removeFirst();
        }
        int highest = votes.stream().mapToInt(Vote::replicas).max().orElse(raw);
        int upLimit = Math.max(2 * current, current + SCALE_UP_PODS);
        current = raw >= current ? Math.min(raw, upLimit) : Math.min(current, highest);
        return current;
    }
}

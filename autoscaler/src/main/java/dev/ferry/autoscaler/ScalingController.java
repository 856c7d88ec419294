package dev.ferry.autoscaler;

import dev.ferry.autoscaler.internal.ReplicaBudget;
import dev.ferry.autoscaler.internal.Stabilizer;
import dev.ferry.autoscaler.internal.StallDetector;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.AutoscalerConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.ScalingDecision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link ScalingPolicy} over the lag samples of every pool (a function's worker pool, or a trigger's pool:
 * {@link PoolRef}) and says when a pool's size must change: the policy's recommendation, held back by stall detection and stabilization, then shared out by the
 * global budget. Returns a {@link ScalingDecision} only when a size changes. Kafka-free and driven by an injected
 * clock, so the same code runs in the service, in the tests on simulated time, and in the simulator.
 *
 * <p>A trigger's pool (a sample with {@code trigger} set) is sized like a function's pool, from the spec the caller
 * passes for it ({@link TriggerPools#poolSpec}: the function's bounds, target and concurrency, with the source
 * topics' partitions as the ceiling where the trigger's ordering gives each partition to one member); its
 * decisions carry {@code trigger} too, and it takes its share of the global budget like any pool.
 *
 * <p>Thread-safe; samples of one pool must arrive in the order they were taken.
 */
public final class ScalingController {

    private static final Logger log = LoggerFactory.getLogger(ScalingController.class);

    /**
     * The controller's knobs; {@link #from} reads them from the configuration.
     *
     * @param settle how long a decided size may take to show as group members (a replica starting, or draining
     *        before it leaves); until then a difference between the two is expected
     * @param confirm how long members must differ from the decided size, after {@code settle}, before the
     *        controller believes the members (issue 11: a pool whose members died must not be taken as sized)
     */
    public record Settings(Duration stabilization, Duration idle, Duration stall, int maxTotalReplicas,
            Duration settle, Duration confirm) {

        /** Settings that give a decided size 15 s to show as members and believe members that differ for 3 s. */
        public Settings(Duration stabilization, Duration idle, Duration stall, int maxTotalReplicas) {
            this(stabilization, idle, stall, maxTotalReplicas, Duration.ofSeconds(15), Duration.ofSeconds(3));
        }

        /** Settle is a replica's start-up time plus three polls; confirm is three polls. */
        public static Settings from(AutoscalerConfig config) {
            Duration polls = Duration.ofMillis(3 * config.pollMs());
            return new Settings(Duration.ofMillis(config.stabilizationMs()), Duration.ofMillis(config.idleMs()),
                    Duration.ofMillis(config.stallMs()), config.maxTotalReplicas(),
                    Duration.ofMillis(config.startupMs()).plus(polls), polls);
        }
    }

    private static final class State {
        FunctionSpec spec;
        int current;
        int desired;
        String reason;
        boolean stalled;
        /** When {@code current} last changed (decided, seeded or observed). */
        Instant decidedAt;
        /** Since when the group's members have differed from {@code current}; null while they agree. */
        Instant differsSince;
        final Stabilizer stabilizer;
        final StallDetector stalls = new StallDetector();

        State(Settings settings, int current, Instant now) {
            this.stabilizer = new Stabilizer(settings.stabilization(), settings.idle());
            this.current = current;
            this.desired = current;
            this.decidedAt = now;
        }
    }

    private final ScalingPolicy policy;
    private final Settings settings;
    private final Clock clock;
    private final Map<PoolRef, State> states = new TreeMap<>(PoolRef.BY_KEY);
    private final Map<PoolRef, Integer> seeds = new HashMap<>();
    /**
     * The pools whose {@link #sizeInForce} is above zero, kept as sizes change: the lag collector asks about every
     * quiet pool every poll (issue 16), and a lookup here costs no walk of the sorted map.
     */
    private final Set<PoolRef> aboveZero = new HashSet<>();

    public ScalingController(ScalingPolicy policy, Settings settings, Clock clock) {
        this.policy = policy;
        this.settings = settings;
        this.clock = clock;
    }

    public ScalingPolicy policy() {
        return policy;
    }

    /**
     * The size last decided for a function before this controller started (its latest {@code ferry.scaling}
     * decision): the function's first sample starts from it instead of from its member count, which a replica
     * still starting or one that has died would misstate. Ignored for a function already sampled.
     */
    public synchronized void seed(FunctionRef ref, int decided) {
        seed(PoolRef.of(ref), decided);
    }

    /** {@link #seed(FunctionRef, int)} for any pool, a trigger's included. */
    public synchronized void seed(PoolRef pool, int decided) {
        if (!states.containsKey(pool)) {
            seeds.put(pool, decided);
            track(pool);
        }
    }

    /** Whether the controller has sampled the pool or holds a seed for it. */
    public synchronized boolean knows(PoolRef pool) {
        return states.containsKey(pool) || seeds.containsKey(pool);
    }

    /**
     * Takes one sample of a pool; returns the decisions it causes (this pool's or, through the budget, others').
     * {@code spec} is the function's spec for its worker pool, or {@link TriggerPools#poolSpec} for a trigger's
     * pool (a sample with {@code trigger} set).
     */
    public synchronized List<ScalingDecision> onSample(FunctionSpec spec, LagSample sample) {
        Instant now = clock.instant();
        PoolRef ref = sample.getTrigger() == null ? PoolRef.of(FunctionSpecs.ref(spec)) : PoolRef.of(sample);
        Integer seed = seeds.remove(ref);
        State known = states.get(ref);
        // What the budget's allocation depends on (every pool's claim) and what it is compared with (the size in
        // force); unchanged, the allocation is the one the last rebalance applied to every pool.
        int currentBefore = known == null ? -1 : known.current;
        int desiredBefore = known == null ? -1 : known.desired;
        int minBefore = known == null ? -1 : known.spec.getMinReplicas();
        State state = known != null ? known
                : states.computeIfAbsent(ref, r -> new State(settings, seed != null ? seed : sample.getReplicas(), now));
        state.spec = spec;
        followMembers(ref, state, sample, now);
        track(ref);

        Duration stallWindow = max(settings.stall(), Duration.ofMillis(spec.getTimeoutMs()));
        StallDetector.Result stall = state.stalls.observe(sample, stallWindow, now);
        Recommendation recommendation = policy.recommend(spec, withoutPartitions(sample, stall.stalledPartitions()),
                state.current);
        int target = recommendation.replicas();
        int sustained = recommendation.sustained();
        String reason = recommendation.reason();
        if (!stall.stalledPartitions().isEmpty()) {
            reason += "; partitions " + stall.stalledPartitions() + " stalled, their lag not counted";
        }
        if (stall.groupStalled() && target > state.current) {
            reason = "stalled: lag " + sample.getTotalLag() + " with " + sample.getReplicas()
                    + " members and no progress for " + stall.stalledForSeconds() + " s, holding "
                    + state.current + " (" + reason + ")";
            target = state.current;
            sustained = Math.min(sustained, target);
        }
        reportStall(ref, state, stall, sample);
        boolean busy = sample.getTotalLag() > 0 || sample.getArrivalRate() > 0;
        Stabilizer.Result stable = state.stabilizer.next(state.current, target, sustained, spec.getMinReplicas(), busy,
                now);
        state.desired = stable.replicas();
        state.reason = stable.note() == null ? reason : stable.note() + " (" + reason + ")";
        if (state.desired == desiredBefore && state.current == currentBefore
                && spec.getMinReplicas() == minBefore) {
            // Issue 16: rebalancing walks every pool, and with 1,000 pools each sample of a pool that stays as it was
            // cost the autoscaler's thread an O(pools) pass for nothing.
            return List.of();
        }
        return rebalance(ref, now);
    }

    /** The function was removed: its pool goes to zero and everything learned about it is forgotten. */
    public synchronized List<ScalingDecision> onRemoved(FunctionRef ref) {
        return onRemoved(PoolRef.of(ref), "function removed");
    }

    /**
     * The pool is gone (its function removed; for a trigger's pool also the trigger removed or disabled, or its
     * function removed): it goes to zero and everything learned about it is forgotten, except, for a function's
     * pool, that zero, from which a function created again under the name starts.
     */
    public synchronized List<ScalingDecision> onRemoved(PoolRef ref, String why) {
        State state = states.remove(ref);
        seeds.remove(ref);
        aboveZero.remove(ref);
        if (!ref.trigger()) {
            // A function created again under the name starts from the zero decided here, not from the members of its
            // first sample: the deleted function's retiring replica stays in the group for a while (a worker's
            // WorkerPool.retire), and taken as the size in force it kept the new function's pool at zero, its calls
            // waiting, until the members had differed from it for a while (10 s; FunctionRedeployIT, session 10).
            seeds.put(ref, 0);
        }
        ref.function().ifPresentOrElse(policy::forget, () -> policy.forget(ref));
        List<ScalingDecision> decisions = new ArrayList<>();
        if (state != null && state.current > 0) {
            decisions.add(decision(ref, state.spec, state.current, 0, why, clock.instant()));
        }
        decisions.addAll(rebalance(null, clock.instant())); // its replicas return to the budget
        return decisions;
    }

    /** The size last decided for the function, if it has been sampled. */
    public synchronized OptionalInt current(FunctionRef ref) {
        return current(PoolRef.of(ref));
    }

    /** The size last decided for the pool, if it has been sampled. */
    public synchronized OptionalInt current(PoolRef ref) {
        State state = states.get(ref);
        return state == null ? OptionalInt.empty() : OptionalInt.of(state.current);
    }

    /**
     * The size in force for the pool as this controller holds it: the size last decided, or taken from the members
     * ({@link #followMembers}), or, before its first sample, its seed; empty when the controller knows nothing of it.
     * The lag collector asks it before it takes a pool for quiet (issue 16): a pool whose size in force differs
     * from its members (zero) must keep being sampled until the controller has followed them.
     */
    public synchronized OptionalInt sizeInForce(PoolRef ref) {
        State state = states.get(ref);
        if (state != null) {
            return OptionalInt.of(state.current);
        }
        Integer seed = seeds.get(ref);
        return seed == null ? OptionalInt.empty() : OptionalInt.of(seed);
    }

    /**
     * Whether {@link #sizeInForce} is above zero for the pool, from a set kept as sizes change: cheap enough for the
     * lag collector to ask about each of 1,000 quiet pools every poll (issue 16).
     */
    public synchronized boolean sizedAboveZero(PoolRef ref) {
        return aboveZero.contains(ref);
    }

    private void track(PoolRef ref) {
        if (sizeInForce(ref).orElse(0) > 0) {
            aboveZero.add(ref);
        } else {
            aboveZero.remove(ref);
        }
    }

    /**
     * Makes the size in force follow the group's members when they have differed from it for longer than a
     * decided size takes to show ({@link Settings#settle}, plus the function's timeout when there are more members:
     * replicas being removed finish their work first) and for {@link Settings#confirm}. The usual case is members
     * that died (a worker process killed): the controller would otherwise believe the pool sized, decide nothing,
     * and leave its work waiting for good. From the observed size the policy decides again, so a pool with lag
     * and no members gets a replica.
     */
    private void followMembers(PoolRef ref, State state, LagSample sample, Instant now) {
        int members = sample.getReplicas();
        if (members == state.current) {
            state.differsSince = null;
            return;
        }
        if (state.differsSince == null) {
            state.differsSince = now;
        }
        Duration settle = members > state.current
                ? settings.settle().plusMillis(state.spec.getTimeoutMs()) : settings.settle();
        if (now.isBefore(state.decidedAt.plus(settle)) || now.isBefore(state.differsSince.plus(settings.confirm()))) {
            return;
        }
        log.warn("[pool={}] {} members for {} s where {} were decided; taking {} as the size in force", ref,
                members, Duration.between(state.differsSince, now).toSeconds(), state.current, members);
        state.current = members;
        state.decidedAt = now;
        state.differsSince = null;
    }

    /** A stall that holds the size publishes no decision, so it is logged when it starts and ends. */
    private static void reportStall(PoolRef ref, State state, StallDetector.Result stall, LagSample sample) {
        if (stall.groupStalled() && !state.stalled) {
            log.warn("[pool={}] stalled: lag {} with {} members and no progress for {} s; not scaling it up",
                    ref, sample.getTotalLag(), sample.getReplicas(), stall.stalledForSeconds());
        } else if (!stall.groupStalled() && state.stalled) {
            log.info("[pool={}] making progress again", ref);
        }
        state.stalled = stall.groupStalled();
    }

    private List<ScalingDecision> rebalance(PoolRef sampled, Instant now) {
        List<ReplicaBudget.Claim> claims = states.entrySet().stream()
                .map(e -> new ReplicaBudget.Claim(e.getKey().key(), e.getValue().spec.getMinReplicas(),
                        e.getValue().desired))
                .collect(Collectors.toList());
        Map<String, Integer> allocation = ReplicaBudget.allocate(settings.maxTotalReplicas(), claims);
        List<ScalingDecision> decisions = new ArrayList<>();
        for (Map.Entry<PoolRef, State> entry : states.entrySet()) {
            State state = entry.getValue();
            int size = allocation.get(entry.getKey().key());
            if (size == state.current) {
                continue;
            }
            String reason = entry.getKey().equals(sampled) ? state.reason : "rebalanced: " + state.reason;
            if (size < state.desired) {
                reason += "; budget " + AutoscalerConfig.MAX_TOTAL_REPLICAS + "=" + settings.maxTotalReplicas()
                        + " grants " + size + " of " + state.desired;
            }
            decisions.add(decision(entry.getKey(), state.spec, state.current, size, reason, now));
            state.current = size;
            state.decidedAt = now;
            state.differsSince = null;
            track(entry.getKey());
        }
        return decisions;
    }

    /** A decision for the pool; a trigger pool's names the function it runs ({@code spec}'s) and the trigger. */
    private ScalingDecision decision(PoolRef ref, FunctionSpec spec, int from, int to, String reason, Instant now) {
        return ScalingDecision.newBuilder().setTenant(ref.tenant())
                .setFunction(ref.trigger() ? spec.getName() : ref.name()).setTrigger(ref.trigger() ? ref.name() : null)
                .setAt(now).setFrom(from).setTo(to).setReason(reason).setPolicy(policy.name()).build();
    }

    private static LagSample withoutPartitions(LagSample sample, List<Integer> partitions) {
        if (partitions.isEmpty()) {
            return sample;
        }
        List<Long> lags = new ArrayList<>(sample.getPartitionLag());
        partitions.forEach(p -> lags.set(p, 0L));
        return LagSample.newBuilder(sample).setPartitionLag(lags)
                .setTotalLag(lags.stream().mapToLong(Long::longValue).sum()).build();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}

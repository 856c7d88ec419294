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
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link ScalingPolicy} over the lag samples of every function and says when a function's size must
 * change: the policy's recommendation, held back by stall detection and stabilization, then shared out by the
 * global budget. Returns a {@link ScalingDecision} only when a size changes. Kafka-free and driven by an injected
 * clock, so the same code runs in the service, in the tests on simulated time, and in the simulator.
 *
 * <p>Thread-safe; samples of one function must arrive in the order they were taken.
 */
public final class ScalingController {

    private static final Logger log = LoggerFactory.getLogger(ScalingController.class);

    /** The controller's knobs; {@link #from} reads them from the configuration. */
    public record Settings(Duration stabilization, Duration idle, Duration stall, int maxTotalReplicas) {

        public static Settings from(AutoscalerConfig config) {
            return new Settings(Duration.ofMillis(config.stabilizationMs()), Duration.ofMillis(config.idleMs()),
                    Duration.ofMillis(config.stallMs()), config.maxTotalReplicas());
        }
    }

    private static final class State {
        FunctionSpec spec;
        int current;
        int desired;
        String reason;
        boolean stalled;
        final Stabilizer stabilizer;
        final StallDetector stalls = new StallDetector();

        State(Settings settings, int current) {
            this.stabilizer = new Stabilizer(settings.stabilization(), settings.idle());
            this.current = current;
            this.desired = current;
        }
    }

    private final ScalingPolicy policy;
    private final Settings settings;
    private final Clock clock;
    private final Map<FunctionRef, State> states = new TreeMap<>(
            (a, b) -> a.key().compareTo(b.key()));

    public ScalingController(ScalingPolicy policy, Settings settings, Clock clock) {
        this.policy = policy;
        this.settings = settings;
        this.clock = clock;
    }

    public ScalingPolicy policy() {
        return policy;
    }

    /** Takes one sample of {@code spec}'s group; returns the decisions it causes (this function's or, through the budget, others'). */
    public synchronized List<ScalingDecision> onSample(FunctionSpec spec, LagSample sample) {
        Instant now = clock.instant();
        FunctionRef ref = FunctionSpecs.ref(spec);
        State state = states.computeIfAbsent(ref, r -> new State(settings, sample.getReplicas()));
        state.spec = spec;

        Duration stallWindow = max(settings.stall(), Duration.ofMillis(spec.getTimeoutMs()));
        StallDetector.Result stall = state.stalls.observe(sample, stallWindow, now);
        Recommendation recommendation = policy.recommend(spec, withoutPartitions(sample, stall.stalledPartitions()));
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
        return rebalance(ref, now);
    }

    /** The function was removed: its pool goes to zero and everything learned about it is forgotten. */
    public synchronized List<ScalingDecision> onRemoved(FunctionRef ref) {
        State state = states.remove(ref);
        policy.forget(ref);
        List<ScalingDecision> decisions = new ArrayList<>();
        if (state != null && state.current > 0) {
            decisions.add(decision(ref, state.current, 0, "function removed", clock.instant()));
        }
        decisions.addAll(rebalance(null, clock.instant())); // its replicas return to the budget
        return decisions;
    }

    /** The size last decided for the function, if it has been sampled. */
    public synchronized OptionalInt current(FunctionRef ref) {
        State state = states.get(ref);
        return state == null ? OptionalInt.empty() : OptionalInt.of(state.current);
    }

    /** A stall that holds the size publishes no decision, so it is logged when it starts and ends. */
    private static void reportStall(FunctionRef ref, State state, StallDetector.Result stall, LagSample sample) {
        if (stall.groupStalled() && !state.stalled) {
            log.warn("[function={}] stalled: lag {} with {} members and no progress for {} s; not scaling it up",
                    ref, sample.getTotalLag(), sample.getReplicas(), stall.stalledForSeconds());
        } else if (!stall.groupStalled() && state.stalled) {
            log.info("[function={}] making progress again", ref);
        }
        state.stalled = stall.groupStalled();
    }

    private List<ScalingDecision> rebalance(FunctionRef sampled, Instant now) {
        List<ReplicaBudget.Claim> claims = states.entrySet().stream()
                .map(e -> new ReplicaBudget.Claim(e.getKey().key(), e.getValue().spec.getMinReplicas(),
                        e.getValue().desired))
                .collect(Collectors.toList());
        Map<String, Integer> allocation = ReplicaBudget.allocate(settings.maxTotalReplicas(), claims);
        List<ScalingDecision> decisions = new ArrayList<>();
        for (Map.Entry<FunctionRef, State> entry : states.entrySet()) {
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
            decisions.add(decision(entry.getKey(), state.current, size, reason, now));
            state.current = size;
        }
        return decisions;
    }

    private ScalingDecision decision(FunctionRef ref, int from, int to, String reason, Instant now) {
        return ScalingDecision.newBuilder().setTenant(ref.tenant()).setFunction(ref.function()).setAt(now)
                .setFrom(from).setTo(to).setReason(reason).setPolicy(policy.name()).build();
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

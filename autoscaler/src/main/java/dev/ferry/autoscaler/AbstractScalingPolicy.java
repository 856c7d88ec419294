package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import dev.ferry.core.functions.ThroughputModel;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The shared part of every policy: per-function history, and the bounds every answer must respect.
 *
 * <p>Bounds: {@code [minReplicas, maxReplicas]}, and for {@code ORDERED} functions the partition count, since a
 * consumer group gives each partition to one member and any extra member idles; the same for a trigger's pool with
 * ordering {@code PARTITION} or {@code KEY}, whose ceiling is the partition count of all its source topics (issue
 * 14; {@link TriggerPools#poolSpec} makes such a pool's spec {@code ORDERED}). {@code QUEUE} functions have no
 * such ceiling: their share group hands out records, not partitions (what KEDA users ask for in its issue #7920).
 * No tolerance band either: HPA's 10 % tolerance can keep a pool one replica short for good.
 *
 * <p>A replica's speed ({@link #perReplicaRate}) comes from two places (issue 17): the throughput model,
 * {@code concurrency · P = concurrency / (W · T)} with {@code T} the function's mean run time from its results
 * ({@link RunTimes}, given by {@link #useRunTimes}), and the rate learned from intervals where the replicas, not the
 * arrivals or a stalled delivery, set the pace ({@link FunctionHistory#perReplicaRate}, which says when that is). The model answers from the first result on; the measurement wins once
 * {@link #BUSY_SAMPLES_TO_LEARN} busy samples back it, since it also sees what the model cannot (I/O waits,
 * throttling, a slow dependency). Where they differ by more than {@link #DISAGREEMENT}, the reason says so.
 *
 * <p>Subclasses implement {@link #need}; each says only what it adds to the one before it.
 */
public abstract class AbstractScalingPolicy implements ScalingPolicy {

    private final String name;
    /** Busy samples after which the learned per-replica rate replaces the model's. */
    public static final int BUSY_SAMPLES_TO_LEARN = 3;
    /** Relative difference between model and measurement above which a decision's reason points it out. */
    public static final double DISAGREEMENT = 0.2;

    /** Per pool: a trigger's pool learns its own replica speed and arrivals, apart from its function's pool. */
    private final Map<PoolRef, FunctionHistory> histories = new HashMap<>();
    private volatile RunTimes runTimes;

    protected AbstractScalingPolicy(String name) {
        this.name = name;
    }

    @Override
    public final String name() {
        return name;
    }

    /** As {@link #recommend(FunctionSpec, LagSample, int)} with the sample's members as the size in force. */
    @Override
    public final Recommendation recommend(FunctionSpec spec, LagSample sample) {
        return recommend(spec, sample, sample.getReplicas());
    }

    @Override
    public final Recommendation recommend(FunctionSpec spec, LagSample sample, int sizeInForce) {
        PoolRef pool = sample.getTrigger() == null ? PoolRef.of(FunctionSpecs.ref(spec)) : PoolRef.of(sample);
        FunctionHistory history = histories.computeIfAbsent(pool, r -> new FunctionHistory());
        RunTimes times = runTimes;
        history.observe(sample, spec.getConcurrency(),
                times == null ? OptionalDouble.empty() : times.meanRunMicros(FunctionSpecs.ref(spec)));
        return bounded(spec, sample, need(spec, sample, history, Math.max(0, sizeInForce)));
    }

    @Override
    public final void forget(FunctionRef ref) {
        histories.remove(PoolRef.of(ref));
        RunTimes times = runTimes;
        if (times != null) {
            times.forget(ref);
        }
    }

    /** A trigger's pool forgets its own history only: the run time T is its function's, which still runs. */
    @Override
    public final void forget(PoolRef pool) {
        if (pool.trigger()) {
            histories.remove(pool);
        } else {
            pool.function().ifPresent(this::forget);
        }
    }

    /**
     * Where this policy reads each function's mean run time T for the throughput model; without it (the default)
     * a replica's speed is known only once learned from busy samples.
     */
    public final void useRunTimes(RunTimes times) {
        this.runTimes = times;
    }

    /**
     * A replica's speed, records per second, and where it comes from in words (empty for the learned rate as it
     * always was; otherwise the model's terms and, when the two differ by more than {@link #DISAGREEMENT}, both).
     */
    protected record PerReplicaRate(double perSecond, String note) {
    }

    /**
     * A replica's speed: the learned rate once {@link #BUSY_SAMPLES_TO_LEARN} busy samples back it (or as soon as
     * there is one when no model is known), else the throughput model's {@code concurrency / T}; empty when
     * neither is known.
     */
    protected final Optional<PerReplicaRate> perReplicaRate(FunctionSpec spec, FunctionHistory history) {
        RunTimes times = runTimes;
        OptionalDouble meanRunMicros = times == null ? OptionalDouble.empty()
                : times.meanRunMicros(FunctionSpecs.ref(spec));
        OptionalDouble model = meanRunMicros.isPresent()
                ? ThroughputModel.of(meanRunMicros.getAsDouble(), 1, Math.max(1, spec.getConcurrency()))
                        .perReplicaRate()
                : OptionalDouble.empty();
        OptionalDouble learned = history.perReplicaRate();
        if (model.isEmpty()) {
            return learned.isPresent() ? Optional.of(new PerReplicaRate(learned.getAsDouble(), ""))
                    : Optional.empty();
        }
        double modelled = model.getAsDouble();
        String terms = "model " + Math.max(1, spec.getConcurrency()) + " slots / T "
                + format(meanRunMicros.getAsDouble() / 1000.0) + " ms = " + format(modelled) + "/s per replica";
        String disagreement = "";
        if (learned.isPresent() && Math.abs(learned.getAsDouble() - modelled) > DISAGREEMENT * modelled) {
            double percent = 100 * (learned.getAsDouble() - modelled) / modelled;
            disagreement = ", measured " + format(learned.getAsDouble()) + "/s per replica is "
                    + String.format(Locale.ROOT, "%.0f", Math.abs(percent)) + " % "
                    + (percent < 0 ? "below" : "above") + " the model"
                    + (percent < 0 ? " (I/O-bound or throttled?)" : "");
        }
        if (learned.isPresent() && history.busySamples() >= BUSY_SAMPLES_TO_LEARN) {
            return Optional.of(new PerReplicaRate(learned.getAsDouble(), " [learned from " + history.busySamples()
                    + " busy samples; " + terms + disagreement + "]"));
        }
        return Optional.of(new PerReplicaRate(modelled, " [" + terms + ", until " + BUSY_SAMPLES_TO_LEARN
                + " busy samples teach the real rate" + disagreement + "]"));
    }

    /**
     * The replicas the function needs by this policy's rule, before bounds.
     *
     * @param sizeInForce the replicas last decided for the pool (see {@link ScalingPolicy#recommend(FunctionSpec,
     *        LagSample, int)})
     */
    protected abstract Recommendation need(FunctionSpec spec, LagSample sample, FunctionHistory history,
            int sizeInForce);

    /**
     * KEDA's rule, {@code ceil(totalLag / targetLagPerReplica)}, except that for an {@code ORDERED} function a
     * partition's backlog can keep only one member busy: one hot partition must not wake a replica per ten records
     * that all sit idle but one.
     */
    protected static Recommendation lagNeed(FunctionSpec spec, LagSample sample) {
        long lag = Math.max(0, sample.getTotalLag());
        int target = Math.max(1, spec.getTargetLagPerReplica());
        long byLag = ceilDiv(lag, target);
        String reason = "lag " + lag + " / " + target + " per replica = " + byLag;
        if (spec.getDelivery() == Delivery.ORDERED) {
            long busyPartitions = sample.getPartitionLag().stream().filter(l -> l > 0).count();
            int partitions = sample.getPartitionLag().size();
            if (byLag > busyPartitions && busyPartitions < partitions) {
                byLag = busyPartitions;
                reason += ", but only " + busyPartitions + " of " + partitions + " partitions have lag";
            }
        }
        return new Recommendation(saturate(byLag), reason);
    }

    /** {@code ceil(rate / perReplicaRate)}: the replicas that keep up with a rate without a backlog forming. */
    protected static int replicasFor(double rate, double perReplicaRate) {
        if (rate <= 0 || perReplicaRate <= 0) {
            return 0;
        }
        double replicas = Math.ceil(rate / perReplicaRate - 1e-9);
        return replicas >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) replicas;
    }

    /**
     * The fewest replicas that keep up with {@code rate} spread evenly over {@code partitions} partitions, given
     * that a group hands partitions, not records, to its members. With fewer members {@code n} than partitions
     * {@code P}, both kinds of group give each partition to one member and each member {@code floor(P / n)} or
     * {@code ceil(P / n)} of them (KIP-848's uniform assignor; KIP-932's share-group assignor, whose sharing is
     * {@code ceil(n / P)} = 1 then): a member with {@code ceil(P / n)} partitions gets that share of the records
     * however idle the others are, so the group carries at most {@code perReplicaRate · P / ceil(P / n)}. On 6
     * partitions, 4 or 5 replicas carry no more than 3 do; the real-broker benchmark's step of 35/s on replicas of
     * about 9.5/s was sized to 4 as it sustained and fell behind again mid-step (issue 16). From {@code P} members
     * on, every member shares partitions and the group carries {@code n · perReplicaRate}.
     *
     * @param partitions the partitions the load is spread over; below 1, {@link #replicasFor(double, double)}
     */
    protected static int replicasFor(double rate, double perReplicaRate, int partitions) {
        int flat = replicasFor(rate, perReplicaRate);
        if (partitions < 1 || flat == 0 || flat >= partitions) {
            return flat; // no load needs no replica, whatever the partitions
        }
        for (int n = flat; n < partitions; n++) {
            if (groupRate(n, perReplicaRate, partitions) >= rate - 1e-9) {
                return n;
            }
        }
        return partitions;
    }

    /**
     * What {@code replicas} members carry together, records per second, when the load is spread evenly over
     * {@code partitions}: {@code perReplicaRate · P / ceil(P / n)} below {@code P} members (see
     * {@link #replicasFor(double, double, int)}), {@code n · perReplicaRate} from {@code P} on or when
     * {@code partitions} is below 1.
     */
    protected static double groupRate(int replicas, double perReplicaRate, int partitions) {
        if (replicas <= 0) {
            return 0;
        }
        if (partitions < 1 || replicas >= partitions) {
            return replicas * perReplicaRate;
        }
        int busiest = (partitions + replicas - 1) / replicas;
        return perReplicaRate * partitions / busiest;
    }

    /** The partitions a sample's pool spreads its load over: the sample's, else the spec's. */
    protected static int partitions(FunctionSpec spec, LagSample sample) {
        return sample.getPartitionLag().isEmpty() ? spec.getPartitions() : sample.getPartitionLag().size();
    }

    protected static String format(double value) {
        return String.format(java.util.Locale.ROOT, "%.1f", value);
    }

    /**
     * The most replicas the pool may have: {@code maxReplicas}, and for an {@code ORDERED} pool its partitions (a
     * consumer group gives each partition to one member).
     */
    protected static int ceiling(FunctionSpec spec, LagSample sample) {
        return spec.getDelivery() == Delivery.ORDERED
                ? Math.min(spec.getMaxReplicas(), partitions(spec, sample)) : spec.getMaxReplicas();
    }

    private static Recommendation bounded(FunctionSpec spec, LagSample sample, Recommendation need) {
        int replicas = need.replicas();
        String reason = need.reason();
        int max = spec.getMaxReplicas();
        if (spec.getDelivery() == Delivery.ORDERED) {
            int partitions = partitions(spec, sample);
            if (partitions < max) {
                max = partitions;
                if (replicas > max) {
                    reason += sample.getTrigger() == null
                            ? ", capped by the " + partitions + " partitions of an ORDERED function"
                            : ", capped by the " + partitions + " partitions of trigger " + sample.getTrigger()
                                    + "'s source topics";
                }
            }
        }
        if (replicas > max) {
            if (max == spec.getMaxReplicas()) {
                reason += ", capped by maxReplicas " + max;
            }
            replicas = max;
        }
        int min = Math.min(spec.getMinReplicas(), max);
        if (replicas < min) {
            reason += ", raised to minReplicas " + min;
            replicas = min;
        }
        int sustained = Math.max(min, Math.min(replicas, need.sustained()));
        return new Recommendation(replicas, sustained, reason);
    }

    private static long ceilDiv(long a, long b) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }

    private static int saturate(long value) {
        return (int) Math.min(Integer.MAX_VALUE, value);
    }
}

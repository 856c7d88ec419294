package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import java.util.HashMap;
import java.util.Map;

/**
 * The shared part of every policy: per-function history, and the bounds every answer must respect.
 *
 * <p>Bounds: {@code [minReplicas, maxReplicas]}, and for {@code ORDERED} functions the partition count, since a
 * consumer group gives each partition to one member and any extra member idles. {@code QUEUE} functions have no
 * such ceiling: their share group hands out records, not partitions (what KEDA users ask for in its issue #7920).
 * No tolerance band either: HPA's 10 % tolerance can keep a pool one replica short for good.
 *
 * <p>Subclasses implement {@link #need}; each says only what it adds to the one before it.
 */
public abstract class AbstractScalingPolicy implements ScalingPolicy {

    private final String name;
    private final Map<FunctionRef, FunctionHistory> histories = new HashMap<>();

    protected AbstractScalingPolicy(String name) {
        this.name = name;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Recommendation recommend(FunctionSpec spec, LagSample sample) {
        FunctionHistory history = histories.computeIfAbsent(FunctionSpecs.ref(spec), r -> new FunctionHistory());
        history.observe(sample, spec.getConcurrency());
        return bounded(spec, sample, need(spec, sample, history));
    }

    @Override
    public final void forget(FunctionRef ref) {
        histories.remove(ref);
    }

    /** The replicas the function needs by this policy's rule, before bounds. */
    protected abstract Recommendation need(FunctionSpec spec, LagSample sample, FunctionHistory history);

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

    protected static String format(double value) {
        return String.format(java.util.Locale.ROOT, "%.1f", value);
    }

    private static Recommendation bounded(FunctionSpec spec, LagSample sample, Recommendation need) {
        int replicas = need.replicas();
        String reason = need.reason();
        int max = spec.getMaxReplicas();
        if (spec.getDelivery() == Delivery.ORDERED) {
            int partitions = sample.getPartitionLag().isEmpty() ? spec.getPartitions() : sample.getPartitionLag().size();
            if (partitions < max) {
                max = partitions;
                if (replicas > max) {
                    reason += ", capped by the " + partitions + " partitions of an ORDERED function";
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

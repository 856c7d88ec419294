package dev.ferry.autoscaler;

import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.Runtime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builders of specs and samples for policy tests. */
final class Samples {

    private Samples() {
    }

    static FunctionSpec spec(String name, Delivery delivery, int partitions, int min, int max) {
        return FunctionSpecs.builder("acme", name, Runtime.JAVA, "echo").setDelivery(delivery)
                .setPartitions(partitions).setMinReplicas(min).setMaxReplicas(max).setTargetLagPerReplica(10)
                .setTimeoutMs(1_000).build();
    }

    static LagSample sample(FunctionSpec spec, Instant at, List<Long> partitionLag, double arrivalRate,
            double serviceRate, int replicas) {
        return LagSample.newBuilder().setTenant(spec.getTenant()).setFunction(spec.getName()).setAt(at)
                .setPartitionLag(partitionLag).setTotalLag(partitionLag.stream().mapToLong(Long::longValue).sum())
                .setArrivalRate(arrivalRate).setServiceRate(serviceRate).setReplicas(replicas).build();
    }

    /** {@code totalLag} spread evenly over {@code spec}'s partitions. */
    static LagSample even(FunctionSpec spec, Instant at, long totalLag, double arrivalRate, double serviceRate,
            int replicas) {
        int partitions = spec.getPartitions();
        List<Long> lags = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            lags.add(totalLag / partitions + (p < totalLag % partitions ? 1 : 0));
        }
        return sample(spec, at, lags, arrivalRate, serviceRate, replicas);
    }

    /**
     * Feeds {@code policy} {@code samples} one-second samples of {@code replicas} settled members working a backlog
     * off at {@code perReplica} records/s each while half that arrives: the samples from the third on show what a
     * replica does (every slot busy with more waiting at both ends of the interval, the replicas setting the pace).
     * Returns the instant after the last.
     */
    static Instant workOff(ScalingPolicy policy, FunctionSpec spec, Instant from, int replicas, double perReplica,
            int samples) {
        double service = perReplica * replicas;
        double arrival = service / 2;
        long drained = (long) Math.ceil(service - arrival);
        long lag = (long) replicas * (Math.max(1, spec.getConcurrency()) + 1) + drained * samples + 10;
        Instant at = from;
        for (int s = 0; s < samples; s++) {
            policy.recommend(spec, even(spec, at, lag, arrival, service, replicas));
            lag -= drained;
            at = at.plusSeconds(1);
        }
        return at;
    }
}

package dev.ferry.autoscaler;

import dev.ferry.autoscaler.internal.Ewma;
import dev.ferry.autoscaler.internal.HoltForecaster;
import dev.ferry.schemas.LagSample;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * What a policy has learned about one function from its past samples: how fast one replica works, and where the
 * arrival rate is heading.
 */
public final class FunctionHistory {

    private final Ewma perReplicaRate = new Ewma(0.3);
    private final HoltForecaster arrivals = HoltForecaster.standard();

    void observe(LagSample sample) {
        // Only a busy group shows what a replica can do: with fewer waiting records than replicas, some of them
        // idle and serviceRate / replicas would understate their speed (and overstate the replicas needed).
        int replicas = sample.getReplicas();
        if (replicas > 0 && sample.getTotalLag() >= replicas && sample.getServiceRate() > 0) {
            perReplicaRate.observe(sample.getServiceRate() / replicas);
        }
        arrivals.observe(sample.getAt().toEpochMilli() / 1000.0, sample.getArrivalRate());
    }

    /** Records per second one replica completes, learned while the group was busy; empty until then. */
    public OptionalDouble perReplicaRate() {
        return perReplicaRate.value();
    }

    /** The arrival rate (records/s) forecast {@code ahead} of the latest sample. */
    public double forecastArrivalRate(Duration ahead) {
        return arrivals.forecast(ahead.toMillis() / 1000.0);
    }
}

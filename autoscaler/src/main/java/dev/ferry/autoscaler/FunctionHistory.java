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
    /** Rises in a row that confirm a trend: a step looks like a steep trend for a sample or two. */
    static final int CONFIRMING_RISES = 3;

    private final HoltForecaster arrivals = HoltForecaster.standard();
    private double lastArrivalRate = Double.NaN;
    private int rises;
    private int busySamples;
    /** Members in the previous sample; -1 before the first. */
    private int lastReplicas = -1;

    void observe(LagSample sample, int concurrency) {
        // Only a busy group shows what a replica can do: unless every replica has all its slots (concurrency) in
        // hand and another record waiting (lag counts both), some of them idle and serviceRate / replicas would
        // understate their speed, and overstate the replicas needed. The real-broker benchmark saw exactly that
        // with concurrency 32: a learned 0.5-0.7 records/s per replica that really did 10/s.
        //
        // And only a group whose members stayed the same since the previous sample: the service rate covers the
        // interval between the two, and a member that joined during it worked for part of it at most (it still had
        // to join the group and fetch). Dividing by it taught the real-broker benchmark 1.9 records/s per replica
        // for replicas doing 4-10/s right after a scale-up, which then asked for three times the replicas needed.
        int replicas = sample.getReplicas();
        long saturated = (long) replicas * (Math.max(1, concurrency) + 1);
        boolean sameMembers = lastReplicas < 0 || replicas == lastReplicas; // a first sample has no rates anyway
        lastReplicas = replicas;
        if (replicas > 0 && sameMembers && sample.getTotalLag() >= saturated && sample.getServiceRate() > 0) {
            perReplicaRate.observe(sample.getServiceRate() / replicas);
            busySamples++;
        }
        arrivals.observe(sample.getAt().toEpochMilli() / 1000.0, sample.getArrivalRate());
        rises = sample.getArrivalRate() > lastArrivalRate ? rises + 1 : 0;
        lastArrivalRate = sample.getArrivalRate();
    }

    /**
     * Whether the arrival rate rose in each of the last few samples. Extrapolating a step (a burst that starts at
     * full rate) over-provisions for exactly as long as the burst lasts, then flaps back; a ramp rises every
     * sample.
     */
    public boolean risingTrend() {
        return rises >= CONFIRMING_RISES;
    }

    /** Records per second one replica completes, learned while the group was busy; empty until then. */
    public OptionalDouble perReplicaRate() {
        return perReplicaRate.value();
    }

    /**
     * How many samples taught {@link #perReplicaRate}: those that saw every slot of every replica busy, with the
     * same members as the sample before.
     */
    public int busySamples() {
        return busySamples;
    }

    /** The arrival rate (records/s) forecast {@code ahead} of the latest sample. */
    public double forecastArrivalRate(Duration ahead) {
        return arrivals.forecast(ahead.toMillis() / 1000.0);
    }
}

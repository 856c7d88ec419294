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
    /** Members in the sample before the previous one; -1 before there were two. */
    private int membersBefore = -1;
    /** Total lag in the previous sample: the backlog at the start of the interval the next sample's rates cover. */
    private long lastLag;
    /** Total lag in the sample before the previous one. */
    private long lagBefore;
    /**
     * How far the service rate must be from the arrival rate for an interval to show the replicas working a backlog
     * off, or falling behind, rather than keeping pace with arrivals: completions equal to arrivals say only that a
     * replica does at least that much.
     */
    static final double KEEPING_PACE = 0.1;
    /**
     * The share of its slots' time a group that only kept pace must have spent running the function
     * ({@code serviceRate · T / (replicas · concurrency)}) for its rate to count: below it the slots mostly idled,
     * so something else (arrivals, delivery) set the pace. A fifth leaves room for a replica up to five times slower
     * than its run time allows (work around the call, a throttled CPU) to be learned while it keeps pace.
     */
    static final double BUSY_SLOTS = 0.2;

    /**
     * @param meanRunMicros the function's mean run time T in microseconds, when known: how long its slots were
     *        busy per completed record
     */
    void observe(LagSample sample, int concurrency, OptionalDouble meanRunMicros) {
        if (sample.getServiceRate() > 0 && saturatedThroughout(sample, concurrency, meanRunMicros)) {
            perReplicaRate.observe(sample.getServiceRate() / sample.getReplicas());
            busySamples++;
        }
        membersBefore = lastReplicas;
        lastReplicas = sample.getReplicas();
        lagBefore = lastLag;
        lastLag = sample.getTotalLag();
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

    /**
     * Whether the interval the sample's rates cover (since the previous sample) shows what the replicas can do, not
     * what arrived or how delivery stalled. Every condition below comes from a pool that taught itself a false
     * speed:
     *
     * <ul>
     *   <li>Every replica had all its slots ({@code concurrency}) in hand and another record waiting (lag counts
     *       both) at <em>both</em> ends of the interval, not just at the sample: otherwise some slots idled for part
     *       of it and {@code serviceRate / replicas} understates a replica. With concurrency 32 the real-broker
     *       benchmark learned 0.5-0.7 records/s per replica that really did 10/s. A lag burst seen at one sample
     *       (delivery stalling for a second, a pool waking from zero) is not a backlog the replicas worked through.
     *   <li>The same members for the interval and the one before it: a member that joined during the interval
     *       worked for part of it at most (it still had to join the group and fetch), and in its first whole interval
     *       it may still be warming up. Dividing by it taught the real-broker benchmark 1.9 records/s per replica
     *       for replicas doing 4-10/s right after a scale-up.
     *   <li>The replicas, not the arrivals, set the pace. {@code ferry demo}'s echo (about 3 µs a call, 20 calls/s,
     *       lag bursts of about 45) learned 2.9/s per replica from samples where a lag floor stood (records completed
     *       and not yet acknowledged count as lag) and completions equalled arrivals: the arrival rate divided by the
     *       replicas, however fast they are. It asked for more replicas, and each one more lowered the rate it
     *       learned next until the pool sat at its maxReplicas of 8. So the group must have worked the backlog off
     *       (completed more than arrived, {@link #KEEPING_PACE}); or fallen behind (completed less) in this interval
     *       <em>and</em> the one before with the backlog standing at the start of both (one interval's rise is what
     *       a delivery stall makes; a pool too slow for its load falls behind sample after sample); or, keeping pace,
     *       have kept its slots running the function for at least {@link #BUSY_SLOTS} of the interval by the mean
     *       run time T: echo's 20 calls/s of 3 µs kept 8 slots busy 0.001 % of the time.
     *   <li>No partition was empty at the sample: a group gives each member partitions, not records, so a member
     *       whose partitions had nothing waiting idled while the others worked the backlog.
     * </ul>
     */
    private boolean saturatedThroughout(LagSample sample, int concurrency, OptionalDouble meanRunMicros) {
        int replicas = sample.getReplicas();
        if (replicas <= 0 || lastReplicas != replicas || membersBefore != replicas) {
            return false;
        }
        long saturated = (long) replicas * (Math.max(1, concurrency) + 1);
        long lag = sample.getTotalLag();
        if (lastLag < saturated || lag < saturated) {
            return false;
        }
        if (sample.getPartitionLag().stream().anyMatch(l -> l <= 0)) {
            // A group hands out partitions: the members holding only empty partitions idled, however long the
            // backlog on the others (issue 16: 4 members on 6 partitions, two of them with two).
            return false;
        }
        double arrival = Math.max(0, sample.getArrivalRate());
        boolean workedOff = sample.getServiceRate() > arrival * (1 + KEEPING_PACE);
        boolean fellBehind = sample.getServiceRate() < arrival * (1 - KEEPING_PACE) && lag > lastLag
                && lagBefore >= saturated && lastLag > lagBefore;
        if (workedOff || fellBehind) {
            return true;
        }
        double slotsBusy = meanRunMicros.isPresent()
                ? sample.getServiceRate() * meanRunMicros.getAsDouble() / 1e6 / ((double) replicas * Math.max(1, concurrency))
                : 0;
        return slotsBusy >= BUSY_SLOTS;
    }

    /** Records per second one replica completes, learned while the group was busy; empty until then. */
    public OptionalDouble perReplicaRate() {
        return perReplicaRate.value();
    }

    /**
     * How many samples taught {@link #perReplicaRate}: those whose interval saw every slot of every replica busy
     * from start to end, with settled members, and the replicas setting the pace (see
     * {@code saturatedThroughout}).
     */
    public int busySamples() {
        return busySamples;
    }

    /** The arrival rate (records/s) forecast {@code ahead} of the latest sample. */
    public double forecastArrivalRate(Duration ahead) {
        return arrivals.forecast(ahead.toMillis() / 1000.0);
    }
}

package dev.ferry.autoscaler;

import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import java.time.Duration;
import java.util.Optional;

/**
 * Reactive, and at least enough replicas to keep up with the current arrival rate and clear the backlog within
 * a drain time besides ({@link #DRAIN} unless a subclass says otherwise):
 * {@code ceil((arrivalRate + (totalLag - replicas) / drain) / perReplicaRate)}, where a replica's rate is
 * learned from history or, until enough busy samples teach it, given by the throughput model (see
 * {@link AbstractScalingPolicy#perReplicaRate}). It scales before lag piles up, and keeps a steady load served
 * without the backlog a lag-only rule needs to hold its size. Only the replicas that carry the arrival rate over
 * the pool's partitions ({@link AbstractScalingPolicy#replicasFor(double, double, int)}: with fewer members than
 * partitions, those holding the most set the pace) are sustained, and the answer is never below them.
 */
public class RateAwarePolicy extends ReactivePolicy {

    public static final String NAME = "rate-aware";
    /**
     * How soon a backlog should be gone on top of keeping up. Without a drain term a pool sized exactly to the
     * arrival rate keeps whatever backlog it has forever (as much in as out).
     */
    public static final Duration DRAIN = Duration.ofSeconds(10);

    private final double drainSeconds;

    public RateAwarePolicy() {
        this(NAME, DRAIN);
    }

    /** @param drain how soon a backlog should be gone on top of keeping up; at least a millisecond */
    protected RateAwarePolicy(String name, Duration drain) {
        super(name);
        this.drainSeconds = Math.max(1, drain.toMillis()) / 1000.0;
    }

    /**
     * Once a replica's speed is known, only the arrival-rate part is sustained: the lag part drains a backlog and is
     * released when it is gone. Before that, the whole lag answer is held, as the reactive policy does.
     */
    @Override
    protected Recommendation need(FunctionSpec spec, LagSample sample, FunctionHistory history) {
        Recommendation byLag = super.need(spec, sample, history);
        Optional<PerReplicaRate> perReplica = perReplicaRate(spec, history);
        if (perReplica.isEmpty()) {
            return byLag;
        }
        double perSecond = perReplica.get().perSecond();
        int partitions = partitions(spec, sample);
        int sustained = replicasFor(sample.getArrivalRate(), perSecond, partitions);
        // A record in a replica's hands counts as lag until committed, but needs no extra replica: drain the rest.
        long waiting = Math.max(0, sample.getTotalLag() - sample.getReplicas());
        double drain = waiting / drainSeconds;
        // While a backlog stands on the partitions every member has records of its own, so all of them work it
        // off: the drain needs n replicas' worth of rate, and never fewer than keep up once it is gone.
        int byRate = Math.max(sustained, replicasFor(sample.getArrivalRate() + drain, perSecond));
        String rate = "(arrival " + format(sample.getArrivalRate()) + "/s + lag drain " + format(drain) + "/s) / "
                + format(perSecond) + "/s per replica = " + byRate + perReplica.get().note();
        return byRate > byLag.replicas()
                ? new Recommendation(byRate, sustained, rate + " (" + byLag.reason() + ")")
                : new Recommendation(byLag.replicas(), Math.min(sustained, byLag.replicas()),
                        byLag.reason() + "; " + rate);
    }
}

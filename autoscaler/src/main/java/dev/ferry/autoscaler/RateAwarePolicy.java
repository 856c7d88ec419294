package dev.ferry.autoscaler;

import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import java.util.OptionalDouble;

/**
 * Reactive, and at least enough replicas to keep up with the current arrival rate, {@code ceil(arrivalRate /
 * perReplicaRate)}, where a replica's rate is learned from history. It scales before lag piles up, and keeps a
 * steady load served without the backlog a lag-only rule needs to hold its size.
 */
public class RateAwarePolicy extends ReactivePolicy {

    public static final String NAME = "rate-aware";

    public RateAwarePolicy() {
        this(NAME);
    }

    protected RateAwarePolicy(String name) {
        super(name);
    }

    @Override
    protected Recommendation need(FunctionSpec spec, LagSample sample, FunctionHistory history) {
        return atLeast(super.need(spec, sample, history), "arrival", sample.getArrivalRate(), history);
    }

    /** The larger of {@code need} and the replicas that keep up with {@code rate}, if a replica's speed is known. */
    protected static Recommendation atLeast(Recommendation need, String what, double rate, FunctionHistory history) {
        OptionalDouble perReplica = history.perReplicaRate();
        if (perReplica.isEmpty()) {
            return need;
        }
        int byRate = replicasFor(rate, perReplica.getAsDouble());
        if (byRate <= need.replicas()) {
            return need;
        }
        return new Recommendation(byRate, what + " " + format(rate) + "/s / " + format(perReplica.getAsDouble())
                + "/s per replica = " + byRate + " (" + need.reason() + ")");
    }
}

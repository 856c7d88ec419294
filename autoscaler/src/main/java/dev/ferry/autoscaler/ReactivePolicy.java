package dev.ferry.autoscaler;

import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;

/** Sizes by the backlog alone: {@code ceil(totalLag / targetLagPerReplica)}. */
public class ReactivePolicy extends AbstractScalingPolicy {

    public static final String NAME = "reactive";

    public ReactivePolicy() {
        this(NAME);
    }

    protected ReactivePolicy(String name) {
        super(name);
    }

    @Override
    protected Recommendation need(FunctionSpec spec, LagSample sample, FunctionHistory history, int sizeInForce) {
        return lagNeed(spec, sample);
    }
}

package dev.ferry.autoscaler;

import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import java.time.Duration;

/**
 * Rate-aware, on the arrival rate forecast (Holt's damped linear trend) as far ahead as a new replica takes to
 * start: a replica asked for now serves the load of then.
 */
public final class PredictivePolicy extends RateAwarePolicy {

    public static final String NAME = "predictive";

    private final Duration startup;

    public PredictivePolicy(Duration startup) {
        super(NAME);
        this.startup = startup;
    }

    @Override
    protected Recommendation need(FunctionSpec spec, LagSample sample, FunctionHistory history) {
        return atLeast(super.need(spec, sample, history), "forecast arrival in " + startup.toSeconds() + " s",
                history.forecastArrivalRate(startup), history);
    }
}

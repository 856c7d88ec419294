package dev.ferry.autoscaler;

import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import java.time.Duration;
import java.util.Optional;

/**
 * Rate-aware, on the arrival rate forecast (Holt's damped linear trend) as far ahead as a new replica takes to
 * start: a replica asked for now serves the load of then. Only a trend confirmed by a few rising samples in a row
 * is extrapolated.
 *
 * <p>A backlog is drained within that same start-up time (at least a second) rather than the rate-aware policy's
 * fixed {@link RateAwarePolicy#DRAIN}: replicas asked for now arrive no sooner, and a backlog left longer is lag
 * the pool could have cleared. At the default {@code autoscaler.startup.ms} of 10 s the two are the same; where
 * replicas start in a second (in-process pools, the benchmark's compressed time scale), a 10 s drain kept a step's
 * backlog around ten times longer than the replicas needed (issue 16).
 */
public final class PredictivePolicy extends RateAwarePolicy {

    public static final String NAME = "predictive";

    private final Duration startup;

    public PredictivePolicy(Duration startup) {
        super(NAME, startup.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : startup, startup);
        this.startup = startup;
    }

    /** The forecast part is not sustained: a forecast that does not come true is released at once. */
    @Override
    protected Recommendation need(FunctionSpec spec, LagSample sample, FunctionHistory history, int sizeInForce) {
        Recommendation current = super.need(spec, sample, history, sizeInForce);
        Optional<PerReplicaRate> perReplica = perReplicaRate(spec, history);
        if (perReplica.isEmpty() || !history.risingTrend()) {
            return current;
        }
        double forecast = history.forecastArrivalRate(startup);
        int byForecast = replicasFor(forecast, perReplica.get().perSecond(), partitions(spec, sample));
        if (byForecast <= current.replicas()) {
            return current;
        }
        return new Recommendation(byForecast, current.sustained(), "forecast arrival in " + startup.toSeconds()
                + " s " + format(forecast) + "/s / " + format(perReplica.get().perSecond())
                + "/s per replica = " + byForecast + " (" + current.reason() + ")");
    }
}

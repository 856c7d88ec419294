package dev.ferry.ingest.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.functions.ThroughputModel;
import dev.ferry.ingest.FunctionScaling;
import dev.ferry.schemas.FunctionSpec;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One function's throughput model as the gateway shows it (issue 17): core's {@link ThroughputModel} fed with what
 * this gateway measures and what the autoscaler reports.
 *
 * <ul>
 *   <li>{@code T}: mean and p95 {@code durationMicros} of the attempts that ran, from every result on
 *       {@code ferry.results} within {@link FunctionStats#WINDOW} ({@link FunctionStats#runTimes});</li>
 *   <li>{@code W}: 1, one slot per invocation;</li>
 *   <li>replicas: the latest {@code LagSample} on {@code ferry.lag} through the
 *       {@link dev.ferry.ingest.ScalingSource};</li>
 *   <li>the arrival rate: invocations this gateway admitted per second ({@link FunctionStats#arrivalPerSecond}).
 *       Not the {@code LagSample}'s arrival rate: that is the growth of the work topic's end offsets, which also
 *       counts the dispatcher's transaction markers (up to one per record when transactions are small), and read
 *       78/s for 40 calls/s on a loaded machine;</li>
 *   <li>the measured service rate: attempts that ran, completed per second, from the results.</li>
 * </ul>
 *
 * <p>Each figure is null when it is not measured: T before any attempt ran within the window, capacity without a
 * scaling source (replicas unknown), utilization when capacity is missing or the pool has no replica.
 *
 * @param meanRunMs mean run time T, milliseconds
 * @param p95RunMs 95th percentile run time, milliseconds
 * @param width W, slots one invocation occupies
 * @param capacityPerSecond {@code replicas · concurrency / (W · T)}, requests per second
 * @param servicePerSecond measured completions per second of attempts that ran
 * @param arrivalPerSecond invocations per second this gateway admitted
 * @param utilization arrival / capacity, a fraction (above 1 the backlog grows)
 */
public record ThroughputFigures(Double meanRunMs, Double p95RunMs, int width, Double capacityPerSecond,
        Double servicePerSecond, Double arrivalPerSecond, Double utilization) {

    /** W for Ferry's functions: one invocation occupies one concurrency slot. */
    public static final int WIDTH = 1;

    /**
     * The figures of {@code spec} from this gateway's run times and admissions ({@code arrivalPerSecond}) and the
     * scaling source's state (may be empty).
     */
    public static ThroughputFigures of(FunctionSpec spec, FunctionStats.RunTimes runs, double arrivalPerSecond,
            Optional<FunctionScaling> scaling) {
        // durationMicros is truncated to whole microseconds: a function faster than that (echo, once the JIT has it)
        // measures 0 µs on every run. It did run, so T is known to be under the resolution: take 1 µs, not "unknown".
        boolean measured = runs.ran() > 0;
        double meanRunMicros = Math.max(1.0, runs.meanRunMicros());
        Integer replicas = scaling.map(FunctionScaling::replicas).orElse(null);
        Double arrival = arrivalPerSecond;
        Double capacity = null;
        Double utilization = null;
        if (measured && replicas != null) {
            ThroughputModel model = new ThroughputModel(meanRunMicros / 1_000_000.0, WIDTH, replicas,
                    Math.max(1, spec.getConcurrency()));
            capacity = value(model.capacityPerSecond());
            utilization = value(model.utilization(arrival));
        }
        return new ThroughputFigures(measured ? meanRunMicros / 1000.0 : null,
                measured ? runs.p95RunMicros() / 1000.0 : null, WIDTH, capacity,
                runs.ran() > 0 ? runs.servicePerSecond() : null, arrival, utilization);
    }

    /** Writes the figures as the {@code model} object of a function's JSON. */
    public void writeTo(ObjectNode function) {
        ObjectNode model = function.putObject("model");
        put(model, "meanRunMs", meanRunMs);
        put(model, "p95RunMs", p95RunMs);
        model.put("width", width);
        put(model, "capacityPerSecond", capacityPerSecond);
        put(model, "serviceRatePerSecond", servicePerSecond);
        put(model, "arrivalRatePerSecond", arrivalPerSecond);
        put(model, "utilization", utilization);
    }

    private static Double value(OptionalDouble value) {
        return value.isPresent() ? value.getAsDouble() : null;
    }

    /** Rounded to 3 decimals: these are estimates for people, and long fractions only add noise. */
    private static void put(ObjectNode node, String field, Double value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, Math.round(value * 1000) / 1000.0);
        }
    }
}

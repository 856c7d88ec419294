package dev.ferry.core.functions;

import java.util.OptionalDouble;

/**
 * The throughput model of a function's worker pool, one of the platform's three models beside cost
 * ({@code C = k·n·t}, which metering bills) and availability ({@code R = MTBF/(MTBF+MTTR)}, which metering reports):
 *
 * <pre>
 *   P = (1/W) · (1/T)                       requests per second one concurrency slot completes
 *   capacity = replicas · concurrency · P    requests per second the pool completes when every slot is busy
 *   utilization = arrival rate / capacity    a fraction; above 1 the backlog grows
 * </pre>
 *
 * <p>{@code W} is the width of one request: the concurrency slots one invocation occupies (1 for an ordinary
 * invocation; a batch's record count when the model is read per record). {@code T} is the time one request takes,
 * in seconds, taken from the results' measured {@code durationMicros}. Example: a 100 ms function with concurrency
 * 4 on 2 replicas has {@code P = 1/1 · 1/0.1 = 10/s} per slot and a capacity of {@code 2 · 4 · 10 = 80/s}; under
 * 40 requests/s its utilization is 0.5 (issue 17).
 *
 * <p>Rates are doubles: this is an estimate that guides scaling and is shown to people, never money.
 *
 * @param meanRunSeconds the mean run time T of one request, seconds; 0 or less means not yet measured
 * @param width W, the slots one request occupies; at least 1
 * @param replicas the pool's current replicas; 0 or more
 * @param concurrency the in-flight requests one replica runs at once; at least 1
 */
public record ThroughputModel(double meanRunSeconds, int width, int replicas, int concurrency) {

    public ThroughputModel {
        if (width < 1) {
            throw new IllegalArgumentException("width must be at least 1, was " + width);
        }
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must not be negative, was " + replicas);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
        }
        if (Double.isNaN(meanRunSeconds) || Double.isInfinite(meanRunSeconds)) {
            throw new IllegalArgumentException("meanRunSeconds must be finite, was " + meanRunSeconds);
        }
    }

    /** The model of a pool whose requests took {@code meanRunMicros} on average (one slot each). */
    public static ThroughputModel of(double meanRunMicros, int replicas, int concurrency) {
        return new ThroughputModel(meanRunMicros / 1_000_000.0, 1, replicas, concurrency);
    }

    /** Whether T has been measured, so that the rates below mean something. */
    public boolean measured() {
        return meanRunSeconds > 0;
    }

    /** P, requests per second one slot completes; empty until T is measured. */
    public OptionalDouble perSlotRate() {
        return measured() ? OptionalDouble.of(1.0 / (width * meanRunSeconds)) : OptionalDouble.empty();
    }

    /** Requests per second one replica completes with every slot busy; empty until T is measured. */
    public OptionalDouble perReplicaRate() {
        OptionalDouble p = perSlotRate();
        return p.isPresent() ? OptionalDouble.of(concurrency * p.getAsDouble()) : OptionalDouble.empty();
    }

    /** The pool's capacity, requests per second with every slot of every replica busy; empty until measured. */
    public OptionalDouble capacityPerSecond() {
        OptionalDouble p = perSlotRate();
        return p.isPresent() ? OptionalDouble.of(replicas * concurrency * p.getAsDouble()) : OptionalDouble.empty();
    }

    /**
     * Arrival rate over capacity, a fraction (above 1 the backlog grows). Empty until T is measured, and when the pool
     * has no replica (no capacity to divide by: a pool scaled to zero is idle or about to be woken).
     */
    public OptionalDouble utilization(double arrivalPerSecond) {
        OptionalDouble capacity = capacityPerSecond();
        if (capacity.isEmpty() || capacity.getAsDouble() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.max(0, arrivalPerSecond) / capacity.getAsDouble());
    }

    /** The replicas that would serve {@code arrivalPerSecond} at full utilization, rounded up; empty until measured. */
    public OptionalDouble replicasFor(double arrivalPerSecond) {
        OptionalDouble perReplica = perReplicaRate();
        if (perReplica.isEmpty()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.ceil(Math.max(0, arrivalPerSecond) / perReplica.getAsDouble()));
    }
}

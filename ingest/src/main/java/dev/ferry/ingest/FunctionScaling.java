package dev.ferry.ingest;

/**
 * What the autoscaler knows of one function. A null field is unknown.
 *
 * @param function the function's name
 * @param replicas replicas running now
 * @param desiredReplicas the latest scaling decision's target
 * @param lag records waiting in the function's work topic
 * @param arrivalRate records per second into the function's work topic, as the latest {@code LagSample} on
 *     {@code ferry.lag} measured it (the growth of the topic's end offsets between two polls); the arrival rate of
 *     the throughput model's utilization (issue 17)
 */
public record FunctionScaling(String function, Integer replicas, Integer desiredReplicas, Long lag,
        Double arrivalRate) {

    /** A state without a measured arrival rate. */
    public FunctionScaling(String function, Integer replicas, Integer desiredReplicas, Long lag) {
        this(function, replicas, desiredReplicas, lag, null);
    }
}

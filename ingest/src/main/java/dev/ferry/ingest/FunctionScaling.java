package dev.ferry.ingest;

/**
 * What the autoscaler knows of one function. A null field is unknown.
 *
 * @param function the function's name
 * @param replicas replicas running now
 * @param desiredReplicas the latest scaling decision's target
 * @param lag records waiting in the function's work topic
 */
public record FunctionScaling(String function, Integer replicas, Integer desiredReplicas, Long lag) {
}

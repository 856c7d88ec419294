package dev.ferry.autoscaler.simulation;

/**
 * One scaler on one trace: the totals, and per-second series for the chart ({@code arrivals} in records/s,
 * {@code replicas} paid for, {@code backlog} in records).
 *
 * @param replicaSeconds replicas paid for (ready or starting) integrated over time: the cost
 * @param lagSeconds waiting records integrated over time: the backlog users feel
 * @param p99DelaySeconds the time 99 % of records waited before a replica took them
 * @param directionChanges how often the size turned from growing to shrinking or back: flapping
 */
public record SimulationResult(String trace, String scaler, double replicaSeconds, double lagSeconds,
        double p99DelaySeconds, int directionChanges, double[] arrivals, int[] replicas, double[] backlog) {
}

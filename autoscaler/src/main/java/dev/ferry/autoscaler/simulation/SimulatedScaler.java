package dev.ferry.autoscaler.simulation;

/** A scaling algorithm under simulation: told the group's state every simulated second, it answers a size. */
interface SimulatedScaler {

    String name();

    /** The desired replicas after this observation. */
    int observe(Observation observation);
}

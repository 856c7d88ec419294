package dev.ferry.autoscaler.simulation;

/**
 * What a scaler sees of the simulated group at one poll, as a lag collector would: the lag (waiting records plus
 * those in service, since Kafka counts a record until it is committed), the arrival and service rates over the
 * last second, and the ready replicas (group members).
 */
record Observation(double now, long lag, double arrivalRate, double serviceRate, int members) {
}

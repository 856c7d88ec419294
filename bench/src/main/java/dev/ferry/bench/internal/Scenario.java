package dev.ferry.bench.internal;

import java.util.List;

/** One benchmark: measures Ferry and its raw-Kafka baseline on the same cluster and returns both. */
public interface Scenario {

    /** The name on its line and in {@code --only}. */
    String name();

    /**
     * Runs warm-up and repetitions of both sides. Throws when the scenario cannot complete (a broker error, a
     * timeout); the run goes on with the next scenario.
     */
    Outcome run(BenchCluster cluster, boolean quick) throws Exception;

    /**
     * Every line the scenario reports: {@link #run}'s one outcome, or several when one run measures Ferry against
     * more than one baseline (each its own row, goal and ratio).
     */
    default List<Outcome> outcomes(BenchCluster cluster, boolean quick) throws Exception {
        return List.of(run(cluster, quick));
    }
}

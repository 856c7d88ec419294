package dev.ferry.bench.internal;

/** One benchmark: measures Ferry and its raw-Kafka baseline on the same cluster and returns both. */
public interface Scenario {

    /** The name on its line and in {@code --only}. */
    String name();

    /**
     * Runs warm-up and repetitions of both sides. Throws when the scenario cannot complete (a broker error, a
     * timeout); the run goes on with the next scenario.
     */
    Outcome run(BenchCluster cluster, boolean quick) throws Exception;
}

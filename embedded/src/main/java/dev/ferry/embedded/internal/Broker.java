package dev.ferry.embedded.internal;

/** A running cluster, whichever way it was started. */
public interface Broker extends AutoCloseable {

    String bootstrapServers();

    int brokerCount();

    /** Where the cluster's controllers listen, {@code host:port,...} (Kafka's {@code --bootstrap-controller}). */
    String bootstrapControllers();

    /**
     * Stops one broker node and leaves the others running (a failover test, or {@code ferry dev}'s user pulling a
     * broker). Only the multi-broker kit supports it.
     *
     * @throws UnsupportedOperationException if this cluster cannot stop a single node
     * @throws IllegalArgumentException if {@code nodeId} is not a broker that may be stopped
     */
    default void stopBroker(int nodeId) {
        throw new UnsupportedOperationException("This cluster has one node; stopping it is close()");
    }

    /** Stops the cluster; a second call does nothing. Never throws: a failed shutdown is logged. */
    @Override
    void close();
}

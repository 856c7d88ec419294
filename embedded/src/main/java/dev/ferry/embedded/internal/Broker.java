package dev.ferry.embedded.internal;

/** A running cluster, whichever way it was started. */
public interface Broker extends AutoCloseable {

    String bootstrapServers();

    int brokerCount();

    /** Stops the cluster; a second call does nothing. Never throws: a failed shutdown is logged. */
    @Override
    void close();
}

package dev.ferry.bench.internal;

/**
 * One side of {@code trigger-throughput}: an application that copies every record of a source topic to a
 * destination topic, exactly once, committing the source offsets in the same transaction as the copies.
 */
interface RecordMover extends AutoCloseable {

    /** For logs and the scenario's details, e.g. {@code "Kafka Streams"}. */
    String label();

    /**
     * Starts moving {@code source} (from its earliest offset) to {@code destination} under a consumer group of its
     * own, named after {@code run}; returns at once, the work goes on in the background.
     */
    Moving start(String source, String destination, String run) throws Exception;

    /** One running copy. */
    interface Moving extends AutoCloseable {

        /** The consumer group whose committed offsets on the source say how far the copy is. */
        String group();

        /** Stops the copy and waits until it has let go of its group and clients. */
        @Override
        void close() throws Exception;
    }

    @Override
    void close() throws Exception;
}

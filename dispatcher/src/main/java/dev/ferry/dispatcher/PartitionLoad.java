package dev.ferry.dispatcher;

/**
 * What a {@link PartitionStrategy} knows of the backlog of a function's work topic: per partition, the records
 * waiting for a worker, as last reported on {@code ferry.lag} plus what this dispatcher has sent there since.
 * Estimates, never exact: a strategy uses them to compare partitions, not to count records.
 */
@FunctionalInterface
public interface PartitionLoad {

    /** The estimated backlog of {@code partition}; 0 when nothing is known about it. Never negative. */
    long lag(int partition);

    /** No knowledge at all: every partition looks empty. */
    static PartitionLoad none() {
        return partition -> 0L;
    }
}

package dev.ferry.worker.internal;

/**
 * What a replica does with a record once its attempt is over (docs/design.md, "Engineering habits": "Failure handlers return a decision").
 * Every decision is acted on only after the attempt's result (and any follow-up record) is acknowledged by Kafka.
 */
public enum Decision {
    /** Done: the result is the whole answer (success, or a failure with no retry left to make). */
    DONE,
    /** Hand the request, attempt + 1, to the retry tier of its backoff delay. */
    RETRY,
    /** Give up: copy the original record to {@code ferry.dlq} with the error headers. */
    DLQ,
    /** Refuse without a retry or a dead letter: the result says why (an expired deadline). */
    REJECT
}

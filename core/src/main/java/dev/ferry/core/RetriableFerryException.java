package dev.ferry.core;

import org.apache.kafka.common.annotation.InterfaceStability;

/**
 * A failure that may succeed if tried again (a dependency briefly down, a throttled downstream call), in the sense of
 * Kafka's {@code RetriableException}. Ferry's own stages throw it where the caller should try again (the dispatcher
 * retries its batch, the usage client's caller asks again later). A function that throws it is retried up to its
 * {@code maxAttempts}, as it would be for any exception except {@link NonRetriableFerryException}, which ends the
 * invocation at once.
 */
@InterfaceStability.Evolving
public class RetriableFerryException extends FerryException {
    private static final long serialVersionUID = 1L;

    public RetriableFerryException(String message) {
        super(message);
    }

    public RetriableFerryException(String message, Throwable cause) {
        super(message, cause);
    }
}

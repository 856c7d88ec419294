package dev.ferry.core;

import org.apache.kafka.common.annotation.InterfaceStability;

/**
 * A failure that no retry can cure: the input itself is wrong (a malformed order, a reference to something that does
 * not exist). A function that throws it ends its invocation at once: the worker writes a FAILED result that is
 * {@code final} with the reason {@code not_retriable}, copies the request to {@code ferry.dlq}, and makes no further
 * attempt, whatever the function's {@code maxAttempts}. Billed like any attempt that ran.
 *
 * <p>The opposite of {@link RetriableFerryException}; an exception of any other type is retried up to
 * {@code maxAttempts}, as a Lambda function's errors are.
 */
@InterfaceStability.Evolving
public class NonRetriableFerryException extends FerryException {
    private static final long serialVersionUID = 1L;

    public NonRetriableFerryException(String message) {
        super(message);
    }

    public NonRetriableFerryException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.ferry.core;

/**
 * A failure that may succeed if tried again (a dependency briefly down, a throttled downstream call). A
 * function that throws it asks for a retry; any other exception from a function is retried too, up to the
 * function's {@code maxAttempts}, but this type documents the intent and lets retry policies tell the two apart.
 */
public class RetriableFerryException extends FerryException {
    private static final long serialVersionUID = 1L;

    public RetriableFerryException(String message) {
        super(message);
    }

    public RetriableFerryException(String message, Throwable cause) {
        super(message, cause);
    }
}

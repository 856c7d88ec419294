package dev.ferry.core;

/**
 * The root of Ferry's unchecked exceptions. Messages carry the context an operator needs to find the record:
 * topic, partition, offset, tenant and function where they are known.
 */
public class FerryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FerryException(String message) {
        super(message);
    }

    public FerryException(String message, Throwable cause) {
        super(message, cause);
    }
}

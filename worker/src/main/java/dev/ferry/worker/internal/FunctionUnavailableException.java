package dev.ferry.worker.internal;

import dev.ferry.core.FerryException;

/** The function cannot run on this worker at all (unknown class, disabled runtime): no retry can help. */
public final class FunctionUnavailableException extends FerryException {
    private static final long serialVersionUID = 1L;

    public FunctionUnavailableException(String message) {
        super(message);
    }

    public FunctionUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

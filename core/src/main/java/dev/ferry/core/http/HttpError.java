package dev.ferry.core.http;

import java.util.List;

/**
 * An HTTP error answer: status, a stable machine-readable code and a message for humans, written by
 * {@link HttpErrors} as docs/design.md's {@code {"error": "...", "code": "...", "errors": [...]}}. The message must never carry a secret
 * or a payload, since it is written to the response and may be logged.
 *
 * <p>Services throw it (or a subclass) from a handler; every listener that {@link HttpErrors#register registers}
 * the writer answers it the same way.
 */
public class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final long retryAfterSeconds;
    private final List<String> details;

    public HttpError(int status, String code, String message) {
        this(status, code, message, 0, List.of());
    }

    /**
     * @param retryAfterSeconds seconds for a {@code Retry-After} header; 0 for none
     * @param details every single problem, when the message joins several (written as {@code "errors"}, which is
     *     {@code [message]} when this is empty)
     */
    public HttpError(int status, String code, String message, long retryAfterSeconds, List<String> details) {
        super(message, null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("An error status is 4xx or 5xx, got " + status);
        }
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
        this.details = List.copyOf(details);
    }

    /** 400 {@code bad_request}. */
    public static HttpError badRequest(String message) {
        return new HttpError(400, "bad_request", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Seconds for a {@code Retry-After} header; 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The single problems behind the message; empty when the message says it all. */
    public List<String> details() {
        return details;
    }
}

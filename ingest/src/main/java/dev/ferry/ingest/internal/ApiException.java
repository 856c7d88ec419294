package dev.ferry.ingest.internal;

import dev.ferry.core.http.HttpError;
import java.util.List;

/**
 * An HTTP error answer of the gateway: status, a stable machine-readable code and a message for humans, written by
 * core's {@link dev.ferry.core.http.HttpErrors}. The message must never carry an API key or a payload, since it is
 * written to the response and may be logged.
 */
public final class ApiException extends HttpError {
    private static final long serialVersionUID = 1L;

    public ApiException(int status, String code, String message) {
        this(status, code, message, 0);
    }

    public ApiException(int status, String code, String message, long retryAfterSeconds) {
        super(status, code, message, retryAfterSeconds, List.of());
    }

    /** An error whose message joins several problems, each also listed under {@code "errors"}. */
    public ApiException(int status, String code, List<String> details) {
        super(status, code, String.join("; ", details), 0, details);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    public static ApiException notReady(String message) {
        return new ApiException(503, "not_ready", message);
    }
}

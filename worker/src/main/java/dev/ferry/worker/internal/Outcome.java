package dev.ferry.worker.internal;

import dev.ferry.core.FerryException;
import dev.ferry.schemas.InvocationStatus;
import java.time.Instant;

/**
 * What one run of user code came to, before it becomes an {@code InvocationResult}.
 *
 * @param failure the throwable of a failed run, {@code null} otherwise
 * @param durationMicros the measured time of the user call alone (the basis of billing)
 */
public record Outcome(InvocationStatus status, byte[] output, String contentType, String error, Throwable failure,
        Instant startedAt, Instant finishedAt, long durationMicros) {

    /** Errors travel in results and DLQ headers; a whole stack of causes would bloat both. */
    static final int MAX_ERROR_CHARS = 2048;

    public static Outcome succeeded(byte[] output, String contentType, Instant startedAt, Instant finishedAt,
            long durationMicros) {
        return new Outcome(InvocationStatus.SUCCEEDED, output, contentType, null, null, startedAt, finishedAt,
                durationMicros);
    }

    public static Outcome failed(Throwable failure, Instant startedAt, Instant finishedAt, long durationMicros) {
        return new Outcome(InvocationStatus.FAILED, null, null, describe(failure), failure, startedAt, finishedAt,
                durationMicros);
    }

    public static Outcome timedOut(long timeoutMs, Instant startedAt, Instant finishedAt, long durationMicros) {
        return new Outcome(InvocationStatus.TIMED_OUT, null, null, "Timed out after " + timeoutMs + " ms", null,
                startedAt, finishedAt, durationMicros);
    }

    public boolean succeeded() {
        return status == InvocationStatus.SUCCEEDED;
    }

    /** The class name of the failure, for the DLQ's {@code ferry.error.class} header. */
    public String errorClass() {
        if (failure != null) {
            return failure.getClass().getName();
        }
        return status == InvocationStatus.TIMED_OUT ? "java.util.concurrent.TimeoutException" : "";
    }

    /**
     * The error a caller reads. Ferry's own exceptions ({@link FerryException} and its kinds) carry messages written
     * for the caller, so they are shown as they are: {@code "RetriableFerryException: ..."} told a caller of
     * {@code ferry demo} nothing but Java. Any other exception is the function's own, named by its class so that
     * its author can find it; the class also travels in the dead letter's {@code ferry.error.class} header.
     */
    static String describe(Throwable t) {
        String message = t.getMessage();
        String text = message == null || message.isBlank() ? t.getClass().getName()
                : t instanceof FerryException ? message
                : t.getClass().getSimpleName() + ": " + message;
        return text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS);
    }
}

package dev.ferry.core.invocation;

import java.util.Locale;
import java.util.Optional;

/**
 * Why an invocation was rejected or given up, carried on {@code InvocationResult.reasonCode} as its
 * {@link #code() wire code} so that no reader parses another module's English (issue 13, part 1).
 *
 * <p>The wire form is the lowercase name ({@code unknown_function}, ...). Readers map it back with
 * {@link #parse(String)}, which yields empty for null and for a code this version does not know (a newer writer),
 * so that a reader falls back to the status rule instead of failing.
 */
public enum ReasonCode {
    /** The function does not exist for this tenant (dispatcher). */
    UNKNOWN_FUNCTION,
    /** The invocation's payload is over the platform's limit (gateway or dispatcher). HTTP 413. */
    PAYLOAD_TOO_LARGE,
    /** The invocation's deadline passed before it could run. */
    DEADLINE_PASSED,
    /** The function cannot run at all (its handler class is missing, its URL or command invalid). */
    FUNCTION_UNAVAILABLE,
    /** The record was delivered more times than the limit without an answer (the function may kill its worker). */
    DELIVERY_LIMIT,
    /** The function ran, but its output is larger than the result topic accepts. */
    OUTPUT_TOO_LARGE,
    /** Every attempt the function's {@code maxAttempts} allows has failed or timed out. */
    ATTEMPTS_EXHAUSTED,
    /** The user's code threw a non-retriable exception, so no further attempt is made. */
    NOT_RETRIABLE,
    /**
     * The request could not be decoded or is invalid (a bad tenant or function name, a missing field, an
     * {@code attempt} below 1 or above {@code maxAttempts}, an id or content type that cannot be an HTTP header).
     */
    INVALID_REQUEST,
    /**
     * The invocation was queued for a function that was deleted before it ran; a function deployed again under
     * the name does not run it ({@code FunctionSpec.workStartOffsets}).
     */
    FUNCTION_DELETED,
    /**
     * A trigger's batch failed and {@code bisectOnError} split it: this invocation is over, and its records run
     * again in two halves under new invocation ids (issue 14). Not a failure of the records yet.
     */
    BISECTED;

    /** The code as written on the wire: the lowercase constant name. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The reason a wire code names; empty for null or for a code this version does not know. */
    public static Optional<ReasonCode> parse(String code) {
        if (code == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(code.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException unknown) {
            return Optional.empty();
        }
    }
}

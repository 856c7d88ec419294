package dev.ferry.worker.internal;

import dev.ferry.core.NonRetriableFerryException;
import dev.ferry.core.invocation.ReasonCode;
import dev.ferry.schemas.InvocationStatus;

/**
 * Decides what follows a finished attempt. Pure, so the rules read in one place: a failure or timeout is retried
 * while attempts remain, unless the function cannot run at all (then retrying only burns attempts); the last
 * failed attempt goes to the dead-letter topic. The decision travels on the result as data (issue 13 part 1):
 * {@link #isFinal(Decision)} and {@link #reason(Outcome, Decision)} give its {@code final} and {@code reasonCode}, so
 * no reader has to guess again from the status and the attempt.
 */
public final class FailureHandler {

    private FailureHandler() {
    }

    public static Decision decide(Outcome outcome, int attempt, int maxAttempts) {
        if (outcome.status() == InvocationStatus.SUCCEEDED) {
            return Decision.DONE;
        }
        if (outcome.status() == InvocationStatus.REJECTED) {
            return Decision.REJECT;
        }
        if (outcome.failure() instanceof FunctionUnavailableException
                || outcome.failure() instanceof NonRetriableFerryException) {
            return Decision.DLQ;
        }
        return attempt < maxAttempts ? Decision.RETRY : Decision.DLQ;
    }

    /** Whether the result of an attempt so decided is the last word: only a retry has another attempt follow. */
    public static boolean isFinal(Decision decision) {
        return decision != Decision.RETRY;
    }

    /**
     * Why an attempt so decided ends the invocation without success, or null when it succeeded or is retried.
     * A function that cannot run here is {@code function_unavailable}; one that threw
     * {@link NonRetriableFerryException} is {@code not_retriable}; any other give-up has used every attempt.
     */
    public static ReasonCode reason(Outcome outcome, Decision decision) {
        if (decision != Decision.DLQ) {
            return null;
        }
        if (outcome.failure() instanceof FunctionUnavailableException) {
            return ReasonCode.FUNCTION_UNAVAILABLE;
        }
        return outcome.failure() instanceof NonRetriableFerryException ? ReasonCode.NOT_RETRIABLE
                : ReasonCode.ATTEMPTS_EXHAUSTED;
    }
}

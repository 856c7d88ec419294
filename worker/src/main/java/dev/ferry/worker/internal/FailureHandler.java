package dev.ferry.worker.internal;

import dev.ferry.schemas.InvocationStatus;

/**
 * Decides what follows a finished attempt. Pure, so the rules read in one place: a failure or timeout is retried
 * while attempts remain, unless the function cannot run at all (then retrying only burns attempts); the last
 * failed attempt goes to the dead-letter topic.
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
        if (outcome.failure() instanceof FunctionUnavailableException) {
            return Decision.DLQ;
        }
        return attempt < maxAttempts ? Decision.RETRY : Decision.DLQ;
    }
}

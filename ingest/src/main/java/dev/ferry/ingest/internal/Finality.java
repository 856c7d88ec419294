package dev.ferry.ingest.internal;

import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;

/**
 * Whether a result is the last word on its invocation. The worker retries a FAILED or TIMED_OUT attempt while
 * attempts remain, so such a result is only an intermediate one; every other status ends the invocation.
 */
public final class Finality {

    private Finality() {
    }

    public static boolean isFinal(InvocationResult result, int maxAttempts) {
        // The writer's own verdict wins where it gave one (e.g. an output too large for a result, issue 11).
        if (result.getFinal$() != null) {
            return result.getFinal$();
        }
        InvocationStatus status = result.getStatus();
        boolean retried = status == InvocationStatus.FAILED || status == InvocationStatus.TIMED_OUT;
        return !retried || result.getAttempt() >= maxAttempts;
    }
}

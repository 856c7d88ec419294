package dev.ferry.ingest.internal;

import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;

/**
 * Whether a result is the last word on its invocation. The writer says so: {@code final} on the result (the
 * worker's decision, the dispatcher's rejection; issue 13 part 1) is trusted as it is. Only a result from a writer
 * that predates the field ({@code final} null) is judged by the old rule: the worker retries a FAILED or TIMED_OUT
 * attempt while attempts remain, so such a result is intermediate unless it is the function's last attempt; every
 * other status ends the invocation.
 */
public final class Finality {

    private Finality() {
    }

    /**
     * @param maxAttempts the function's {@code maxAttempts}, used only when the result does not say whether it is
     *     final
     */
    public static boolean isFinal(InvocationResult result, int maxAttempts) {
        Boolean declared = result.getFinal$();
        if (declared != null) {
            return declared;
        }
        InvocationStatus status = result.getStatus();
        boolean retried = status == InvocationStatus.FAILED || status == InvocationStatus.TIMED_OUT;
        return !retried || result.getAttempt() >= maxAttempts;
    }
}

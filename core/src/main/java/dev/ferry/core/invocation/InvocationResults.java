package dev.ferry.core.invocation;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.time.Instant;

/** Builds {@link InvocationResult}s from the request they answer. */
public final class InvocationResults {

    private InvocationResults() {
    }

    public static FunctionRef ref(InvocationRequest request) {
        return new FunctionRef(request.getTenant(), request.getFunction());
    }

    /**
     * A builder with the identifying fields copied from {@code request}: invocationId, tenant, function, attempt,
     * submittedAt, and the request's content type as a starting point for the output's.
     */
    public static InvocationResult.Builder resultOf(InvocationRequest request) {
        return InvocationResult.newBuilder()
                .setInvocationId(request.getInvocationId())
                .setTenant(request.getTenant())
                .setFunction(request.getFunction())
                .setAttempt(request.getAttempt())
                .setSubmittedAt(request.getSubmittedAt())
                .setContentType(request.getContentType())
                .setOutput(null)
                .setError(null)
                .setWorker(null)
                .setColdStart(false);
    }

    /** A result for an attempt that never ran (REJECTED, THROTTLED) or ended before running: no duration. */
    public static InvocationResult terminal(InvocationRequest request, InvocationStatus status, String error,
            int memoryMb, Instant now, String worker) {
        return resultOf(request)
                .setStatus(status)
                .setError(error)
                .setMemoryMb(memoryMb)
                .setStartedAt(now)
                .setFinishedAt(now)
                .setDurationMicros(0L)
                .setWorker(worker)
                .build();
    }
}

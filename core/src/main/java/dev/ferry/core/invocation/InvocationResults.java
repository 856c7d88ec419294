package dev.ferry.core.invocation;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import java.time.Instant;

/**
 * Builds {@link InvocationResult}s from the request they answer. Every writer says whether its result is final and,
 * when the invocation is rejected or given up, why ({@code final}, {@code reasonCode}; issue 13 part 1).
 */
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

    /**
     * A final result that ends the invocation without a run of the function, or after it: {@code final} is true and
     * {@code reasonCode} names why ({@link ReasonCode#code()}), so no reader parses {@code error}. It measured no
     * time ({@code durationMicros} 0, started and finished {@code now}); see {@link BilledTime} for what that
     * bills.
     *
     * @param status REJECTED or THROTTLED when the attempt never reached the function, FAILED when it is given up
     * @param error the sentence for people; readers decide on {@code reason}
     */
    public static InvocationResult terminal(InvocationRequest request, InvocationStatus status, ReasonCode reason,
            String error, int memoryMb, Instant now, String worker) {
        return resultOf(request)
                .setStatus(status)
                .setError(error)
                .setMemoryMb(memoryMb)
                .setStartedAt(now)
                .setFinishedAt(now)
                .setDurationMicros(0L)
                .setWorker(worker)
                .setFinal$(true)
                .setReasonCode(reason.code())
                .build();
    }
}

package dev.ferry.worker.internal;

import dev.ferry.core.invocation.ReasonCode;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * What a worker writes when a function's output is too large for {@code ferry.results} (issue 11): the same
 * result without its output, {@code FAILED} with reason {@code output_too_large}, billed for the time the function
 * really ran. Writing that in its place, instead of releasing the record, ends the attempt: the function is not run
 * again for an output that would never fit, and the caller hears at once why.
 */
public final class OversizedOutput {

    private OversizedOutput() {
    }

    /** Whether a failed write was refused for the record's size (by this worker's check, the producer or a broker). */
    static boolean isCause(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code result} without its output: FAILED, {@code reasonCode} {@code output_too_large}, an error naming the
     * output's size and the limit; every other field (duration, memory, times, worker) as it was.
     *
     * @param last whether no further attempt follows (the result's {@code final})
     */
    static InvocationResult withoutOutput(InvocationResult result, int limitBytes, boolean last) {
        int outputBytes = result.getOutput() == null ? 0 : result.getOutput().remaining();
        // The HTTP and PROCESS runtimes stop reading one byte over the limit: the output was at least that long.
        String size = outputBytes == limitBytes + 1 ? "at least " + outputBytes : String.valueOf(outputBytes);
        return withoutOutput(result, "Output of " + size + " bytes is over the limit of " + limitBytes
                + " bytes for a result (topic.max.message.bytes); the function ran, its output was dropped", last);
    }

    /**
     * {@code result} without its output, FAILED {@code output_too_large} with {@code error} (which names the sizes
     * and the limit), duration and times as they were: a trigger's output too large for its destination or result.
     */
    public static InvocationResult withoutOutput(InvocationResult result, String error, boolean last) {
        return InvocationResult.newBuilder(result)
                .setStatus(InvocationStatus.FAILED)
                .setOutput(null)
                .setError(error)
                .setFinal$(last)
                .setReasonCode(ReasonCode.OUTPUT_TOO_LARGE.code())
                .build();
    }
}

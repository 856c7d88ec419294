package dev.ferry.worker;

import org.apache.kafka.common.annotation.InterfaceStability;

/**
 * What a user implements to run on Ferry's {@code JAVA} runtime.
 *
 * <p>Lifecycle: each replica of a worker pool creates its own instance once, through a public no-argument
 * constructor, before its first invocation, and calls {@link #close()} once when the replica stops (scale-in,
 * redeploy, shutdown). A replica may call {@link #apply} from up to {@code concurrency} threads at once, so an
 * implementation with {@code concurrency > 1} must be thread-safe.
 *
 * <p>Any exception from {@link #apply} fails the attempt: the worker writes a {@code FAILED} result and retries the
 * invocation after a backoff, up to the function's {@code maxAttempts}, then sends it to the dead-letter topic.
 * Throw {@link dev.ferry.core.NonRetriableFerryException} when no retry can help (the input itself is wrong): the
 * attempt's result is final with the reason {@code not_retriable} and the request goes to the dead-letter topic at
 * once; {@link dev.ferry.core.RetriableFerryException} says outright that a retry may help. An attempt that runs past
 * the function's {@code timeoutMs} ends as {@code TIMED_OUT}: its thread is interrupted and its work abandoned, so
 * long-running code should respond to interruption.
 *
 * <pre>{@code
 * public final class Greeter implements Function {
 *     public byte[] apply(Invocation in) {
 *         return ("hello " + in.payloadAsString()).getBytes(StandardCharsets.UTF_8);
 *     }
 * }
 * }</pre>
 */
@InterfaceStability.Evolving
@FunctionalInterface
public interface Function {

    /**
     * Runs one attempt of an invocation.
     *
     * @return the output bytes (the result's {@code output}); {@code null} for none
     * @throws Exception to fail the attempt
     */
    byte[] apply(Invocation in) throws Exception;

    /**
     * Releases what the instance holds. Called once, when its replica stops; the default does nothing. A failure
     * here is logged, never propagated. (Not {@code AutoCloseable}: replicas close functions, users never do.)
     */
    default void close() throws Exception {
    }
}

package dev.ferry.core.kafka;

import dev.ferry.core.FerryException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaFuture;

/** Waiting on an Admin call the way Ferry's provisioning does: a bounded wait, and one exception type for callers. */
public final class AdminCalls {

    /** How long one Admin call may take before it counts as the cluster not answering. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private AdminCalls() {
    }

    /**
     * The future's value, within {@link #TIMEOUT}.
     *
     * @param what what the call does, for the message ("describe ferry.work.acme.resize")
     * @throws FerryException when the call failed (its cause kept), timed out, or the thread was interrupted (its
     *     interrupt flag set again)
     */
    public static <T> T await(KafkaFuture<T> future, String what) {
        return await(future, what, TIMEOUT);
    }

    /** {@link #await(KafkaFuture, String)} within {@code timeout}. */
    public static <T> T await(KafkaFuture<T> future, String what, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new FerryException("Cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            String after = timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
            throw new FerryException("Timed out after " + after + " trying to " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted while trying to " + what, e);
        }
    }
}

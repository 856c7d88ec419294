package dev.ferry.worker.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a worker pool: a thread with its own consumer and its own function instance. Stopping is clean:
 * the replica takes no new record, finishes and acknowledges (or commits) what it holds, closes its consumer so
 * the group hands its share to the others, then closes its function. If its consumer fails, the replica starts a
 * fresh one after a pause, having first settled everything it held.
 */
public abstract class Replica {

    private static final Logger log = LoggerFactory.getLogger(Replica.class);
    private static final Duration RESTART_PAUSE = Duration.ofSeconds(1);

    protected final ReplicaSettings settings;
    protected final AttemptProcessor processor;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile BooleanSupplier admission = () -> true;

    protected Replica(ReplicaSettings settings, AttemptProcessor processor) {
        this.settings = settings;
        this.processor = processor;
        this.thread = new Thread(this::run, "ferry-" + settings.name());
    }

    public final int index() {
        return settings.index();
    }

    public final void start() {
        thread.start();
    }

    /**
     * Asks the replica to stop taking records; it finishes what it holds first. Polls are short rather than woken
     * up: a pending {@code wakeup()} would also break the final commit of a clean stop.
     */
    public void requestStop() {
        stopping = true;
    }

    public final boolean awaitStopped(Duration timeout) {
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /**
     * Set before {@link #start()}: whether the replica may start another run now. The pool passes its invoker's
     * {@code mayStartRun}, which says no while runs stuck past their timeout hold too many threads (issue 11).
     */
    public final void admission(BooleanSupplier admission) {
        this.admission = admission;
    }

    protected final boolean mayStartRun() {
        return admission.getAsBoolean();
    }

    protected final boolean stopping() {
        return stopping;
    }

    private void run() {
        try {
            while (!stopping) {
                try {
                    consume();
                } catch (RuntimeException e) {
                    if (stopping) {
                        break;
                    }
                    log.error("[{}] consumer failed, starting a new one in {} ms: {}", settings.name(),
                            RESTART_PAUSE.toMillis(), e.toString(), e);
                    pause();
                }
            }
        } finally {
            processor.closeFunction();
            log.info("[{}] stopped", settings.name());
        }
    }

    private static void pause() {
        try {
            Thread.sleep(RESTART_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Creates a consumer and serves records until {@link #stopping()}; then settles everything it holds and closes
     * the consumer before returning. Throws on a consumer failure, after settling what it could.
     */
    protected abstract void consume();
}

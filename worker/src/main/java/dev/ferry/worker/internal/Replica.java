package dev.ferry.worker.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a worker pool: a thread with its own consumer and its own function instance. Stopping is clean:
 * the replica takes no new record, finishes and acknowledges (or commits) what it holds, closes its consumer so
 * the group hands its share to the others, then closes its function. If its consumer fails, the replica starts a
 * fresh one after a pause (1 s, doubling for each failure in a row up to 30 s), having first settled everything it
 * held. A replica that meets a work record whose schema the registry cannot give (the registry does not answer:
 * {@link WorkerResources#registryWatch()}) leaves its group, having given back that record and what it had not
 * started, and joins again once the registry answers: such records wait in Kafka rather than go to the DLQ.
 */
public abstract class Replica {

    private static final Logger log = LoggerFactory.getLogger(Replica.class);
    /** 1 s after a consumer failure, doubling for each failure in a row, up to 30 s. */
    private static final Backoff RESTART_PAUSES = new Backoff(1_000, 30_000);

    protected final ReplicaSettings settings;
    protected final AttemptProcessor processor;
    protected final WorkerResources resources;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile BooleanSupplier admission = () -> true;
    /** Stepped out for a lost schema registry; the replica's thread's alone. */
    private boolean outForRegistry;

    protected Replica(ReplicaSettings settings, AttemptProcessor processor, WorkerResources resources) {
        this.settings = settings;
        this.processor = processor;
        this.resources = resources;
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
        int failures = 0;
        try {
            while (!stopping) {
                if (outForRegistry) {
                    awaitRegistry();
                    outForRegistry = false;
                    if (stopping) {
                        break;
                    }
                }
                long started = System.nanoTime();
                try {
                    consume();
                    failures = 0;
                } catch (RuntimeException | Error e) { // an Error too: logged and restarted, never a silent end
                    if (stopping) {
                        break;
                    }
                    // A consumer that served for a minute before failing starts the count again.
                    failures = System.nanoTime() - started > 60_000_000_000L ? 1 : failures + 1;
                    Duration pause = restartPause(failures);
                    if (wrongGroupType(e)) {
                        // The group of the name is of the other type (a deleted function of the other delivery left
                        // it): it stays so until it is deleted, so retrying every second only fills the log.
                        log.error("[{}] group {} is of the wrong type for a {} function ({}); the pool replaces "
                                + "such a group when its first replica starts, so its members (another process's "
                                + "retiring pool?) must leave first. Trying again in {} ms", settings.name(),
                                settings.group(), settings.spec().getDelivery(), e.getMessage(), pause.toMillis());
                    } else {
                        log.error("[{}] consumer failed, starting a new one in {} ms: {}", settings.name(),
                                pause.toMillis(), e.toString(), e);
                    }
                    pause(pause);
                }
            }
        } finally {
            processor.closeFunction();
            log.info("[{}] stopped", settings.name());
        }
    }

    /**
     * Returns once the process's schema registry serves, or the replica stops: looked at every 100 ms (the
     * {@link dev.ferry.core.runtime.RegistryWatch} asks the registry, once a second for the whole process).
     */
    private void awaitRegistry() {
        log.info("[{}] out of group {} until the schema registry answers", settings.name(), settings.group());
        while (!stopping && !resources.registryWatch().available()) {
            pause(Duration.ofMillis(100));
        }
    }

    /**
     * The replica met a work record whose schema the registry could not give ({@link Decoded#registryLost()}): its
     * {@link #consume()} gives back what it holds unrun and returns, and the replica joins its group again once the
     * registry answers. Replicas of the process that did not meet such a record keep running (the schemas they read
     * are at hand). Polling thread only.
     */
    protected final void stepOutForRegistry() {
        outForRegistry = true;
    }

    /** Whether {@link #stepOutForRegistry()} was called during this {@link #consume()}. */
    protected final boolean steppingOut() {
        return outForRegistry;
    }

    /** 1 s after a failure, doubling for each failure in a row up to 30 s: a lasting cause is not retried hot. */
    static Duration restartPause(int failuresInARow) {
        return Duration.ofMillis(RESTART_PAUSES.delayAfter(Math.max(1, failuresInARow)));
    }

    /** Kafka's answer to a member joining a group of the other type: "Group X is not a share (consumer) group". */
    static boolean wrongGroupType(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof GroupIdNotFoundException) {
                return true;
            }
        }
        return false;
    }

    private void pause(Duration pause) {
        long until = System.nanoTime() + pause.toNanos();
        try {
            // In slices, so a stop does not wait out a long pause.
            while (!stopping && System.nanoTime() - until < 0) {
                Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            }
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

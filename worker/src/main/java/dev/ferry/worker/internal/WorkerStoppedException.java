package dev.ferry.worker.internal;

/**
 * The worker stopped while a run was still inside the function: its thread was interrupted by the stop, not by the
 * function's timeout. The attempt is not the function's failure, so it gets no result and is not billed; its record
 * is given back (released to the share group, or left uncommitted) and runs again, as the same attempt, wherever it
 * is delivered next (issue 15: a rolling restart must not use up a caller's attempts).
 */
public final class WorkerStoppedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public WorkerStoppedException(Throwable interrupted) {
        super("The worker stopped while the function ran; the record is given back to run again", interrupted);
    }

    /** A record given back unrun, for the reason {@code why} (a retiring pool's, for the function named next). */
    public WorkerStoppedException(String why) {
        super(why);
    }

    /**
     * {@code error} itself, or the {@link WorkerStoppedException} it wraps: a stage that completes exceptionally
     * passes its failure on wrapped in a {@link java.util.concurrent.CompletionException}, so a replica testing
     * {@code instanceof} on the error its {@code whenComplete} sees missed it and took the stop for a failed write.
     */
    public static Throwable unwrap(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() instanceof
                WorkerStoppedException stopped ? stopped : error;
    }
}

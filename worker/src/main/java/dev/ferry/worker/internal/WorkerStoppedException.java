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
}

package dev.ferry.worker.internal;

import dev.ferry.core.functions.WorkProvisioner;
import dev.ferry.schemas.FunctionSpec;

/**
 * Prepares a share group (a {@code QUEUE} function's, or a {@code NONE} trigger's) before its first member joins:
 * start at the earliest offset, read only committed records, and an acquisition lock that outlasts one attempt.
 * The rules and their reasons are {@link WorkProvisioner}'s, which also runs them at deploy (issue 16); this is the
 * worker's call of them, for groups nobody prepared (a function written to {@code ferry.functions} by a plain
 * producer, a trigger).
 */
public final class ShareGroupSetup {

    private ShareGroupSetup() {
    }

    /** The lock an attempt of {@code timeoutMs} needs: its timeout plus room to write its result. */
    public static long lockNeeded(int timeoutMs) {
        return WorkProvisioner.lockNeeded(timeoutMs);
    }

    public static void prepare(WorkerResources resources, String group, FunctionSpec spec) {
        new WorkProvisioner(resources.admin(), resources.topics()).prepareShareGroup(group, spec.getTimeoutMs());
    }
}

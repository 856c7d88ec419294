package dev.ferry.worker.internal.trigger;

import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.TriggerSpec;

/**
 * Who a trigger replica is and what it runs.
 *
 * @param group the trigger's consumer (or share) group ({@code TriggerSpecs.group})
 * @param onFailure where records that failed for good go ({@code TriggerSpecs.onFailure})
 * @param name the log prefix and thread name, e.g. {@code acme/orders#0}
 * @param worker the replica as results and statuses name it: {@code <workerName>#<trigger>#<index>}
 *        (docs/design.md section 10), which also makes its {@code transactional.id}
 */
public record TriggerReplicaSettings(TriggerRef ref, TriggerSpec spec, FunctionSpec function, int index,
        String group, String onFailure, String name, String worker) {

    /** A bound far beyond any attempt, so settling a stop never waits forever. */
    public long settleTimeoutMs() {
        return function.getTimeoutMs() + 60_000L;
    }

    /**
     * Stable across restarts of the same replica of the same process ({@code worker.id}), so a restarted replica
     * fences its predecessor and aborts its open transaction at once instead of after the transaction timeout.
     */
    public String transactionalId() {
        return "ferry-trigger." + ref.tenant() + "." + ref.name() + "." + worker;
    }
}

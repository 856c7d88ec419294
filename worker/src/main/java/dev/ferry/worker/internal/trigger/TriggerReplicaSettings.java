package dev.ferry.worker.internal.trigger;

import dev.ferry.core.topics.TopicCatalog;
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
 *        (docs/design.md section 10)
 * @param instance the worker process among those of the cluster ({@code WorkerResources.instanceName}): with the
 *        trigger and the index, its {@code transactional.id}
 */
public record TriggerReplicaSettings(TriggerRef ref, TriggerSpec spec, FunctionSpec function, int index,
        String group, String onFailure, String name, String worker, String instance) {

    /** A bound far beyond any attempt, so settling a stop never waits forever. */
    public long settleTimeoutMs() {
        return function.getTimeoutMs() + 60_000L;
    }

    /**
     * Stable across restarts of the same replica of the same process ({@code worker.id}, else the host and the
     * management port), so a restarted replica fences its predecessor and aborts its open transaction at once instead
     * of after the transaction timeout; distinct for worker processes sharing a host, which would otherwise fence each
     * other's replicas of a trigger (the dispatcher's kind of collision, a tester's, session 10). It starts with the
     * trigger's default group ({@code ferry-trigger.<tenant>.<name>} for prefix {@code ferry.}), so it follows the
     * topic prefix: two installations on one cluster have ids of their own, which ACLs by prefix keep apart (it was
     * {@code ferry-trigger.} whatever the prefix, session 11).
     */
    public String transactionalId(TopicCatalog topics) {
        return topics.triggerGroup(ref) + "." + instance + "#" + ref.name() + "#" + index;
    }
}

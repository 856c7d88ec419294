package dev.ferry.worker.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.FunctionSpec;

/**
 * Who a replica is: its function, its index in the pool, the topic and group it consumes, and its log name.
 *
 * @param name the log prefix and thread name, e.g. {@code acme/resize#2}
 * @param worker the value of the results' {@code worker} field, e.g. {@code host-1#2}
 */
public record ReplicaSettings(FunctionRef ref, FunctionSpec spec, int index, String topic, String group,
        String name, String worker) {

    /** A timeout far beyond any attempt, so settling a stop never waits forever on a stuck producer. */
    public long settleTimeoutMs() {
        return spec.getTimeoutMs() + 60_000L;
    }
}

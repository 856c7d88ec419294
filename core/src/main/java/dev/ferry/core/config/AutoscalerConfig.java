package dev.ferry.core.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the autoscaler: lag collection, policy and actuation. */
public final class AutoscalerConfig {

    public static final String POLL_MS = "autoscaler.poll.ms";
    public static final String STABILIZATION_MS = "autoscaler.stabilization.ms";
    public static final String IDLE_MS = "autoscaler.idle.ms";
    public static final String MAX_TOTAL_REPLICAS = "autoscaler.max.total.replicas";
    public static final String POLICY = "autoscaler.policy";

    private final long pollMs;
    private final long stabilizationMs;
    private final long idleMs;
    private final int maxTotalReplicas;
    private final String policy;

    AutoscalerConfig(AbstractConfig config) {
        this.pollMs = config.getLong(POLL_MS);
        this.stabilizationMs = config.getLong(STABILIZATION_MS);
        this.idleMs = config.getLong(IDLE_MS);
        this.maxTotalReplicas = config.getInt(MAX_TOTAL_REPLICAS);
        this.policy = config.getString(POLICY);
    }

    static void define(ConfigDef def) {
        def.define(POLL_MS, Type.LONG, 1000L, Range.atLeast(10), Importance.HIGH,
                        "How often the lag of every worker group is read and published to ferry.lag.")
                .define(STABILIZATION_MS, Type.LONG, 30_000L, Range.atLeast(0), Importance.MEDIUM,
                        "A lower size must hold this long before a pool scales down; scaling up is immediate.")
                .define(IDLE_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.MEDIUM,
                        "A pool with no work for this long scales to its minReplicas (zero by default).")
                .define(MAX_TOTAL_REPLICAS, Type.INT, 100, Range.atLeast(1), Importance.MEDIUM,
                        "Budget of replicas across all functions; shared by marginal need when demand exceeds it.")
                .define(POLICY, Type.STRING, "predictive", Importance.MEDIUM,
                        "Scaling policy: reactive, rate-aware or predictive (each includes the ones before it).");
    }

    public long pollMs() {
        return pollMs;
    }

    public long stabilizationMs() {
        return stabilizationMs;
    }

    public long idleMs() {
        return idleMs;
    }

    public int maxTotalReplicas() {
        return maxTotalReplicas;
    }

    public String policy() {
        return policy;
    }
}

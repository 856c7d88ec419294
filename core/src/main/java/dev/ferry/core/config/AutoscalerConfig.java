package dev.ferry.core.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of the autoscaler: lag collection, policy and actuation. */
public final class AutoscalerConfig {

    public static final String POLL_MS = "autoscaler.poll.ms";
    public static final String QUIET_CHECK_MS = "autoscaler.quiet.check.ms";
    public static final String STABILIZATION_MS = "autoscaler.stabilization.ms";
    public static final String IDLE_MS = "autoscaler.idle.ms";
    public static final String MAX_TOTAL_REPLICAS = "autoscaler.max.total.replicas";
    public static final String POLICY = "autoscaler.policy";
    public static final String STARTUP_MS = "autoscaler.startup.ms";
    public static final String STALL_MS = "autoscaler.stall.ms";
    public static final String ACTUATOR = "autoscaler.actuator";
    public static final String KUBERNETES_NAMESPACE = "autoscaler.kubernetes.namespace";
    public static final String KUBERNETES_DEPLOYMENT = "autoscaler.kubernetes.deployment";
    public static final String KUBERNETES_TRIGGER_DEPLOYMENT = "autoscaler.kubernetes.trigger.deployment";

    private final long pollMs;
    private final long quietCheckMs;
    private final long stabilizationMs;
    private final long idleMs;
    private final int maxTotalReplicas;
    private final String policy;
    private final long startupMs;
    private final long stallMs;
    private final String actuator;
    private final String kubernetesNamespace;
    private final String kubernetesDeployment;
    private final String kubernetesTriggerDeployment;

    AutoscalerConfig(AbstractConfig config) {
        this.pollMs = config.getLong(POLL_MS);
        this.quietCheckMs = config.getLong(QUIET_CHECK_MS);
        this.stabilizationMs = config.getLong(STABILIZATION_MS);
        this.idleMs = config.getLong(IDLE_MS);
        this.maxTotalReplicas = config.getInt(MAX_TOTAL_REPLICAS);
        this.policy = config.getString(POLICY);
        this.startupMs = config.getLong(STARTUP_MS);
        this.stallMs = config.getLong(STALL_MS);
        this.actuator = config.getString(ACTUATOR);
        this.kubernetesNamespace = config.getString(KUBERNETES_NAMESPACE);
        this.kubernetesDeployment = config.getString(KUBERNETES_DEPLOYMENT);
        this.kubernetesTriggerDeployment = config.getString(KUBERNETES_TRIGGER_DEPLOYMENT);
    }

    static void define(ConfigDef def) {
        def.define(POLL_MS, Type.LONG, 1000L, Range.atLeast(10), Importance.HIGH,
                        "How often the lag of every worker group is read and published to ferry.lag.")
                .define(QUIET_CHECK_MS, Type.LONG, 60_000L, Range.atLeast(10), Importance.LOW,
                        "How often the end offsets of a quiet function pool (zero replicas, no lag, nothing "
                                + "arrived) are checked instead of reading its lag every poll (issue 16). Whoever puts "
                                + "work on a work topic wakes such a pool at once (the dispatcher, and the worker's "
                                + "retry forwarder when a retry's delay ends: ferry.wakeups), so this is a safety net "
                                + "that bounds only the scale-from-zero of records written to a work topic some other "
                                + "way or of a lost wakeup. Trigger pools are checked every autoscaler.poll.ms.")
                .define(STABILIZATION_MS, Type.LONG, 30_000L, Range.atLeast(0), Importance.MEDIUM,
                        "A lower size must hold this long before a pool scales down; scaling up is immediate.")
                .define(IDLE_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.MEDIUM,
                        "A pool with no work for this long scales to its minReplicas (zero by default).")
                .define(MAX_TOTAL_REPLICAS, Type.INT, 100, Range.atLeast(1), Importance.MEDIUM,
                        "Budget of replicas across all functions; shared by marginal need when demand exceeds it. "
                                + "Functions' minReplicas together hold at most 90 % of it (the rest stays for "
                                + "demand), and a deploy beyond what is left of that (all tenants' minimums "
                                + "together) is refused.")
                .define(POLICY, Type.STRING, "predictive", Importance.MEDIUM,
                        "Scaling policy: reactive, rate-aware or predictive (each includes the ones before it), or the "
                                + "class name of a ScalingPolicy with a public no-argument constructor.")
                .define(STARTUP_MS, Type.LONG, 10_000L, Range.atLeast(0), Importance.LOW,
                        "How long a new replica takes to start taking work: the predictive policy forecasts the "
                                + "arrival rate this far ahead.")
                .define(STALL_MS, Type.LONG, 30_000L, Range.atLeast(0), Importance.LOW,
                        "A group whose backlog has members but no progress for this long is reported as stalled "
                                + "and no longer drives scale-up (more replicas would not help it).")
                .define(ACTUATOR, Type.STRING, "in-process", ConfigDef.ValidString.in("in-process", "kubernetes",
                                "none"), Importance.MEDIUM,
                        "What applies decisions: in-process (resizes this process's worker pools), kubernetes "
                                + "(scales one Deployment per function) or none (publish decisions only).")
                .define(KUBERNETES_NAMESPACE, Type.STRING, "default", Importance.LOW,
                        "Namespace of the worker Deployments scaled by the kubernetes actuator.")
                .define(KUBERNETES_DEPLOYMENT, Type.STRING, "ferry-worker-{tenant}-{function}", Importance.LOW,
                        "Name of a function's worker Deployment; {tenant} and {function} are replaced.")
                .define(KUBERNETES_TRIGGER_DEPLOYMENT, Type.STRING, "ferry-trigger-{tenant}-{trigger}",
                        Importance.LOW, "Name of a trigger's Deployment (its pool); {tenant}, {trigger} and {function} "
                                + "(the function it runs) are replaced.");
    }

    public long pollMs() {
        return pollMs;
    }

    /** How often a quiet function pool's end offsets are compared ({@value #QUIET_CHECK_MS}). */
    public long quietCheckMs() {
        return quietCheckMs;
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

    /**
     * How many of the budget's replicas functions' {@code minReplicas} may hold together: all but a tenth (at least
     * one), so pinned replicas can never leave nothing for other functions' demand, much as AWS Lambda keeps 100 of an
     * account's 1,000 concurrent executions unreserved. A deploy whose minimum, with every tenant's functions'
     * minimums, exceeds it is refused (the budget is the platform's), and the autoscaler grants minimums only up to it. A budget of 1 reserves its one replica.
     */
    public int reservableReplicas() {
        return reservable(maxTotalReplicas);
    }

    /**
     * The replicas a worker starts a new pool with, a function's own or a trigger's: its {@code minReplicas}, capped
     * at {@link #reservableReplicas()} (a spec written past the gateway may pin more, and starting them all at once
     * took a dev process down: a tester, session 8), or {@code initialReplicas} when its minimum is 0.
     */
    public int startingReplicas(int minReplicas, int initialReplicas) {
        return minReplicas > 0 ? Math.min(minReplicas, reservableReplicas()) : initialReplicas;
    }

    /** {@link #reservableReplicas()} of a budget. */
    public static int reservable(int budget) {
        return budget <= 1 ? Math.max(0, budget) : budget - Math.max(1, budget / 10);
    }

    public String policy() {
        return policy;
    }

    public long startupMs() {
        return startupMs;
    }

    public long stallMs() {
        return stallMs;
    }

    public String actuator() {
        return actuator;
    }

    public String kubernetesNamespace() {
        return kubernetesNamespace;
    }

    /** The Deployment name template, with {@code {tenant}} and {@code {function}} placeholders. */
    public String kubernetesDeployment() {
        return kubernetesDeployment;
    }

    /** A trigger pool's Deployment name template, with {@code {tenant}}, {@code {trigger}} and {@code {function}}. */
    public String kubernetesTriggerDeployment() {
        return kubernetesTriggerDeployment;
    }
}

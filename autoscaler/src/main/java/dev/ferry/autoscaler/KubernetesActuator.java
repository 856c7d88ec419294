package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.schemas.ScalingDecision;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scales one Kubernetes Deployment per function, named from a template such as
 * {@code ferry-worker-{tenant}-{function}}, and one per trigger (a trigger's pool, issue 14), named from a second
 * template such as {@code ferry-trigger-{tenant}-{trigger}} ({@code {function}} there is the function it runs),
 * through their scale subresource. The Deployments are the operator's: the actuator never creates or deletes one,
 * and scales a removed function's or trigger's Deployment to zero. A missing Deployment is logged, not retried:
 * the next decision tries again.
 */
public final class KubernetesActuator implements Actuator {

    public static final String NAME = "kubernetes";
    private static final Logger log = LoggerFactory.getLogger(KubernetesActuator.class);

    private final KubernetesClient client;
    private final String namespace;
    /** The trigger Deployment template when none is given: {@code autoscaler.kubernetes.trigger.deployment}'s default. */
    public static final String DEFAULT_TRIGGER_TEMPLATE = "ferry-trigger-{tenant}-{trigger}";

    private final String template;
    private final String triggerTemplate;
    private final boolean ownsClient;
    /** The function each trigger's Deployment was last scaled for: {@code {function}} in a tombstone's name. */
    private final Map<PoolRef, String> triggerFunctions = new ConcurrentHashMap<>();

    /**
     * An actuator whose trigger Deployments are named by {@link #DEFAULT_TRIGGER_TEMPLATE}.
     *
     * @param ownsClient whether {@link #close()} closes {@code client}
     */
    public KubernetesActuator(KubernetesClient client, String namespace, String template, boolean ownsClient) {
        this(client, namespace, template, DEFAULT_TRIGGER_TEMPLATE, ownsClient);
    }

    /**
     * @param triggerTemplate names a trigger's Deployment: {@code {tenant}}, {@code {trigger}} and
     *        {@code {function}} are replaced
     * @param ownsClient whether {@link #close()} closes {@code client}
     */
    public KubernetesActuator(KubernetesClient client, String namespace, String template, String triggerTemplate,
            boolean ownsClient) {
        this.client = client;
        this.namespace = namespace;
        this.template = template;
        this.triggerTemplate = triggerTemplate;
        this.ownsClient = ownsClient;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The Deployment name of a function: the template with {@code {tenant}} and {@code {function}} filled in. */
    public String deploymentName(FunctionRef ref) {
        return template.replace("{tenant}", ref.tenant()).replace("{function}", ref.function());
    }

    /**
     * The Deployment name of a trigger's pool: the trigger template with {@code {tenant}}, {@code {trigger}} and
     * {@code {function}} (the function it runs) filled in.
     */
    public String deploymentName(TriggerRef ref, String function) {
        return triggerTemplate.replace("{tenant}", ref.tenant()).replace("{trigger}", ref.name())
                .replace("{function}", function);
    }

    @Override
    public void apply(ScalingDecision decision) {
        PoolRef pool = PoolRef.of(decision);
        if (pool.trigger()) {
            triggerFunctions.put(pool, decision.getFunction());
            scale(pool, deploymentName(pool.triggerRef().orElseThrow(), decision.getFunction()), decision.getTo(),
                    decision.getReason());
        } else {
            FunctionRef ref = pool.function().orElseThrow();
            scale(pool, deploymentName(ref), decision.getTo(), decision.getReason());
        }
    }

    @Override
    public void remove(FunctionRef ref) {
        scale(PoolRef.of(ref), deploymentName(ref), 0, "function removed");
    }

    /**
     * A trigger's tombstone names no function: a template with {@code {function}} scales the Deployment of the
     * function its last decision named; without one seen since start, it is logged and left alone.
     */
    @Override
    public void remove(PoolRef pool) {
        if (!pool.trigger()) {
            Actuator.super.remove(pool);
            return;
        }
        String function = triggerFunctions.remove(pool);
        if (function == null && triggerTemplate.contains("{function}")) {
            log.warn("[pool={}] trigger removed, but no decision since start names its function: its Deployment "
                    + "({}) is left as it is", pool, triggerTemplate);
            return;
        }
        scale(pool, deploymentName(pool.triggerRef().orElseThrow(), function == null ? "" : function), 0,
                "trigger removed");
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    private void scale(PoolRef ref, String name, int replicas, String reason) {
        try {
            RollableScalableResource<Deployment> deployment = client.apps().deployments().inNamespace(namespace)
                    .withName(name);
            if (deployment.get() == null) {
                log.warn("[pool={}] no Deployment {}/{} to scale to {}", ref, namespace, name, replicas);
                return;
            }
            deployment.scale(replicas);
            log.info("[pool={}] Deployment {}/{} scaled to {} ({})", ref, namespace, name, replicas, reason);
        } catch (KubernetesClientException e) {
            log.error("[pool={}] cannot scale Deployment {}/{} to {}: {}", ref, namespace, name, replicas,
                    e.getMessage());
        }
    }
}

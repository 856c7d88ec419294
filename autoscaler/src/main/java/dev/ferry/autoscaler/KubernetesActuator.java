package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.ScalingDecision;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scales one Kubernetes Deployment per function, named from a template such as
 * {@code ferry-worker-{tenant}-{function}}, through its scale subresource. The Deployments are the operator's: the
 * actuator never creates or deletes one, and scales a removed function's Deployment to zero. A missing Deployment
 * is logged, not retried: the next decision tries again.
 */
public final class KubernetesActuator implements Actuator {

    public static final String NAME = "kubernetes";
    private static final Logger log = LoggerFactory.getLogger(KubernetesActuator.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String template;
    private final boolean ownsClient;

    /**
     * @param ownsClient whether {@link #close()} closes {@code client}
     */
    public KubernetesActuator(KubernetesClient client, String namespace, String template, boolean ownsClient) {
        this.client = client;
        this.namespace = namespace;
        this.template = template;
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

    @Override
    public void apply(ScalingDecision decision) {
        scale(new FunctionRef(decision.getTenant(), decision.getFunction()), decision.getTo(), decision.getReason());
    }

    @Override
    public void remove(FunctionRef ref) {
        scale(ref, 0, "function removed");
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    private void scale(FunctionRef ref, int replicas, String reason) {
        String name = deploymentName(ref);
        try {
            RollableScalableResource<Deployment> deployment = client.apps().deployments().inNamespace(namespace)
                    .withName(name);
            if (deployment.get() == null) {
                log.warn("[function={}] no Deployment {}/{} to scale to {}", ref, namespace, name, replicas);
                return;
            }
            deployment.scale(replicas);
            log.info("[function={}] Deployment {}/{} scaled to {} ({})", ref, namespace, name, replicas, reason);
        } catch (KubernetesClientException e) {
            log.error("[function={}] cannot scale Deployment {}/{} to {}: {}", ref, namespace, name, replicas,
                    e.getMessage());
        }
    }
}

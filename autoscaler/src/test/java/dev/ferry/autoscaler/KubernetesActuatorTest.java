package dev.ferry.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.schemas.ScalingDecision;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true) // a small in-memory API server per test, and a client of it
class KubernetesActuatorTest {

    KubernetesClient client;
    private KubernetesActuator actuator;

    @BeforeEach
    void createActuator() {
        actuator = new KubernetesActuator(client, "ferry", "ferry-worker-{tenant}-{function}", false);
    }

    @Test
    void shouldScaleTheFunctionsDeploymentWhenADecisionArrives() {
        deployment("ferry-worker-acme-resize", 1);
        actuator.apply(decision("acme", "resize", 1, 4));
        assertThat(replicas("ferry-worker-acme-resize")).isEqualTo(4);
        actuator.apply(decision("acme", "resize", 4, 2));
        assertThat(replicas("ferry-worker-acme-resize")).isEqualTo(2);
    }

    @Test
    void shouldScaleToZeroButKeepTheDeploymentWhenTheFunctionIsRemoved() {
        deployment("ferry-worker-acme-gone", 3);
        actuator.remove(new FunctionRef("acme", "gone"));
        assertThat(replicas("ferry-worker-acme-gone")).isZero();
    }

    @Test
    void shouldLeaveOtherDeploymentsAloneAndNotFailWhenTheDeploymentIsMissing() {
        deployment("ferry-worker-acme-other", 2);
        actuator.apply(decision("acme", "missing", 0, 5));
        assertThat(replicas("ferry-worker-acme-other")).isEqualTo(2);
        assertThat(client.apps().deployments().inNamespace("ferry").withName("ferry-worker-acme-missing").get())
                .isNull();
    }

    @Test
    void shouldNameDeploymentsFromTheTemplate() {
        assertThat(new KubernetesActuator(client, "ns", "w-{function}-of-{tenant}", false)
                .deploymentName(new FunctionRef("t1", "f1"))).isEqualTo("w-f1-of-t1");
    }

    @Test
    void shouldScaleTheTriggersOwnDeploymentNeverItsFunctionsWhenATriggerDecisionArrives() {
        deployment("ferry-worker-acme-enrich", 2);
        deployment("ferry-trigger-acme-orders", 1);
        actuator.apply(ScalingDecision.newBuilder(decision("acme", "enrich", 1, 4)).setTrigger("orders").build());
        assertThat(replicas("ferry-trigger-acme-orders")).isEqualTo(4);
        assertThat(replicas("ferry-worker-acme-enrich")).isEqualTo(2);

        actuator.remove(PoolRef.of(new TriggerRef("acme", "orders")));
        assertThat(replicas("ferry-trigger-acme-orders")).isZero();
        assertThat(replicas("ferry-worker-acme-enrich")).isEqualTo(2);
    }

    @Test
    void shouldNameTriggerDeploymentsFromTheirTemplate() {
        assertThat(new KubernetesActuator(client, "ns", "w-{function}", "t-{tenant}-{trigger}-{function}", false)
                .deploymentName(new TriggerRef("t1", "orders"), "enrich")).isEqualTo("t-t1-orders-enrich");
    }

    private void deployment(String name, int replicas) {
        Deployment deployment = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace("ferry")
                .endMetadata().withNewSpec().withReplicas(replicas).withNewSelector()
                .addToMatchLabels("app", name).endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", name).endMetadata().withNewSpec().addNewContainer().withName("worker")
                .withImage("ferry:dev").endContainer().endSpec().endTemplate().endSpec().build();
        client.apps().deployments().inNamespace("ferry").resource(deployment).create();
    }

    private int replicas(String name) {
        return client.apps().deployments().inNamespace("ferry").withName(name).get().getSpec().getReplicas();
    }

    private static ScalingDecision decision(String tenant, String function, int from, int to) {
        return ScalingDecision.newBuilder().setTenant(tenant).setFunction(function).setAt(Instant.now())
                .setFrom(from).setTo(to).setReason("test").setPolicy("reactive").build();
    }
}

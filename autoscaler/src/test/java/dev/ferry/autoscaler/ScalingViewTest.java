package dev.ferry.autoscaler;

import static dev.ferry.autoscaler.Samples.even;
import static dev.ferry.autoscaler.Samples.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.ScalingDecision;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScalingViewTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void shouldCombineTheLatestSampleAndDecisionOfEachFunction() {
        ScalingView view = new ScalingView();
        FunctionSpec spec = spec("f", Delivery.QUEUE, 6, 0, 10);
        view.onSample(even(spec, T0, 120, 30, 10, 2));
        assertThat(view.get(new FunctionRef("acme", "f"))).hasValueSatisfying(s -> {
            assertThat(s.replicas()).isEqualTo(2);
            assertThat(s.desired()).as("no decision yet").isEqualTo(2);
            assertThat(s.lag()).isEqualTo(120);
        });
        view.onDecision(ScalingDecision.newBuilder().setTenant("acme").setFunction("f").setAt(T0.plusSeconds(1))
                .setFrom(2).setTo(10).setReason("lag 120 / 10 per replica = 12, capped by maxReplicas 10")
                .setPolicy("reactive").build());
        view.onSample(even(spec, T0.plusSeconds(2), 90, 30, 40, 4));
        assertThat(view.get(new FunctionRef("acme", "f"))).hasValueSatisfying(s -> {
            assertThat(s.replicas()).isEqualTo(4);
            assertThat(s.desired()).isEqualTo(10);
            assertThat(s.lag()).isEqualTo(90);
            assertThat(s.reason()).contains("capped by maxReplicas 10");
            assertThat(s.updatedAt()).isEqualTo(T0.plusSeconds(2));
        });
    }

    @Test
    void shouldListOnlyTheTenantsFunctionsAndDropRemovedOnes() {
        ScalingView view = new ScalingView();
        FunctionSpec mine = spec("mine", Delivery.QUEUE, 6, 0, 10);
        FunctionSpec other = dev.ferry.core.functions.FunctionSpecs.builder("globex", "theirs",
                dev.ferry.schemas.Runtime.JAVA, "echo").build();
        view.onSample(even(mine, T0, 1, 0, 0, 1));
        view.onSample(even(other, T0, 1, 0, 0, 1));
        assertThat(view.ofTenant("acme")).extracting(ScalingView.FunctionScaling::function).containsExactly("mine");
        view.onRemoved(new FunctionRef("acme", "mine"));
        assertThat(view.ofTenant("acme")).isEmpty();
        assertThat(view.all()).hasSize(1);
    }
}

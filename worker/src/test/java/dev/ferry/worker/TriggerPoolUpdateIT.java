package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.worker.internal.trigger.TriggerReplica;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An update of a trigger's function restarts its replicas only when it changes what they run: a new
 * {@code maxReplicas} (the autoscaler's business) keeps the same replicas, a new {@code timeoutMs} restarts them.
 */
@FerryKafkaTest
@Timeout(120)
class TriggerPoolUpdateIT {

    @Test
    void shouldKeepItsReplicasWhenOnlyFieldsTheyDoNotReadChange(KafkaFixture kafka) {
        try (Harness harness = new Harness(kafka); TriggerKit kit = new TriggerKit(harness, kafka);
                WorkerContext context = new WorkerContext(harness.config)) {
            String source = kit.topic("updated", 1);
            TriggerSpec spec = TriggerSpecs.builder("acme", "updated", "enrich-u", List.of(source))
                    .setStartingPosition(StartingPosition.EARLIEST).build();
            FunctionSpec function = TriggerFixture.enrich("acme", "enrich-u", 1, 3);
            try (TriggerPool pool = new TriggerPool(spec, function, context, 1)) {
                TriggerReplica before = pool.members().get(0);

                FunctionSpec scaled = FunctionSpec.newBuilder(function).setMaxReplicas(7).setMinReplicas(1).build();
                pool.update(spec, scaled);
                assertThat(pool.members()).containsExactly(before);
                assertThat(pool.function()).isEqualTo(scaled);

                FunctionSpec slower = FunctionSpec.newBuilder(scaled).setTimeoutMs(20_000).build();
                pool.update(spec, slower);
                assertThat(pool.members()).hasSize(1).doesNotContain(before);
                assertThat(pool.function()).isEqualTo(slower);
            }
        }
    }
}

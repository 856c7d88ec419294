package dev.ferry.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.ScalingDecision;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The policy loop's start in a new consumer group: a sample written before the group joined is still decided on.
 * The group used to start at the end of {@code ferry.lag}, so the collector's first sample of a pool, written while
 * the policy consumer was still joining, was skipped; a pool whose sample does not change gets no other, and a
 * function deployed with {@code minReplicas} 2 stayed at zero replicas (AutoscalerServiceIT failed so under load).
 * Here the sample is written before the loop starts, which makes that race certain.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DecideLoopIT {

    @Test
    void shouldDecideOnARecentSampleWrittenBeforeItsGroupJoined(KafkaFixture kafka) throws Exception {
        TestCluster cluster = TestCluster.isolated(kafka, TestConfigs.FAST);
        FunctionSpec spec = TestCluster.queue("early", "echo").setPartitions(1).setMinReplicas(2).setMaxReplicas(4)
                .build();
        FunctionRef ref = FunctionSpecs.ref(spec);
        cluster.deploy(spec);
        Clock clock = Clock.systemUTC();

        try (FerryRuntime runtime = FerryRuntime.create(cluster.config());
                KafkaProducer<String, byte[]> producer = cluster.clients().producer("decide-loop-it",
                        new StringSerializer(), new ByteArraySerializer(), Map.of())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> runtime.functions().get(ref).isPresent());
            LagSample sample = Samples.sample(spec, clock.instant(), List.of(0L), 0, 0, 0);
            producer.send(new ProducerRecord<>(cluster.topics().lag(), ref.key(),
                    runtime.serdes().serializer(LagSample.class).serialize(cluster.topics().lag(), sample)))
                    .get(30, TimeUnit.SECONDS);

            ScalingView view = new ScalingView();
            ScalingController controller = new ScalingController(
                    ScalingPolicies.fromConfig(cluster.config().autoscaler()),
                    ScalingController.Settings.from(cluster.config().autoscaler()), clock);
            try (DecideLoop loop = new DecideLoop(cluster.clients(), cluster.topics(), runtime.functions(),
                    runtime.triggers(), controller, view, producer, runtime.serdes().deserializer(LagSample.class),
                    runtime.serdes().serializer(ScalingDecision.class),
                    runtime.serdes().deserializer(ScalingDecision.class),
                    cluster.config().autoscaler().pollMs(), clock).start()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(view.get(ref))
                        .as("the pool as the policy loop decided it from the sample written before it joined")
                        .hasValueSatisfying(state -> assertThat(state.desired()).isEqualTo(2)));
            }
        }
    }
}

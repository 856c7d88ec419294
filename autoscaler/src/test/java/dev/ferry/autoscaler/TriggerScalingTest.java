package dev.ferry.autoscaler;

import static dev.ferry.autoscaler.Samples.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.autoscaler.simulation.SimulatedClock;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.ScalingDecision;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Issue 14: a trigger's pool is sized like its function's, capped by the source partitions for PARTITION and KEY. */
class TriggerScalingTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** The function a trigger runs: a QUEUE function of 1 partition, 0..10 replicas, 1 record of lag per replica. */
    private static final FunctionSpec FUNCTION = FunctionSpec.newBuilder(spec("enrich", Delivery.QUEUE, 1, 0, 10))
            .setTargetLagPerReplica(1).build();

    private static TriggerSpec trigger(String name, TriggerOrdering ordering) {
        return TriggerSpecs.builder("acme", name, FUNCTION.getName(), List.of("orders", "refunds"))
                .setOrdering(ordering).build();
    }

    private static LagSample triggerSample(TriggerSpec trigger, Instant at, List<Long> partitionLag, int replicas) {
        return LagSample.newBuilder().setTenant("acme").setFunction(trigger.getFunction()).setTrigger(trigger.getName())
                .setAt(at).setPartitionLag(partitionLag)
                .setTotalLag(partitionLag.stream().mapToLong(Long::longValue).sum()).setArrivalRate(0)
                .setServiceRate(0).setReplicas(replicas).build();
    }

    private static Recommendation recommend(TriggerOrdering ordering, List<Long> lag) {
        TriggerSpec trigger = trigger("t", ordering);
        return new ReactivePolicy().recommend(TriggerPools.poolSpec(FUNCTION, trigger, lag.size()),
                triggerSample(trigger, T0, lag, 0));
    }

    @Test
    void shouldCapAPartitionTriggersPoolAtItsSourcePartitionsWhenLagAsksForMore() {
        // 3 + 1 partitions over two source topics, 100 records each: lag asks for 400, maxReplicas grants 10.
        Recommendation r = recommend(TriggerOrdering.PARTITION, List.of(100L, 100L, 100L, 100L));
        assertThat(r.replicas()).isEqualTo(4);
        assertThat(r.reason()).contains("lag 400 / 1 per replica = 400")
                .contains("capped by the 4 partitions of trigger t's source topics");
    }

    @Test
    void shouldCapAKeyTriggersPoolAtItsSourcePartitionsToo() {
        assertThat(recommend(TriggerOrdering.KEY, List.of(100L, 100L, 100L, 100L)).replicas()).isEqualTo(4);
    }

    @Test
    void shouldScaleANoneTriggersPoolPastItsSourcePartitionsUpToMaxReplicas() {
        Recommendation r = recommend(TriggerOrdering.NONE, List.of(400L));
        assertThat(r.replicas()).isEqualTo(10);
        assertThat(r.reason()).contains("capped by maxReplicas 10");
    }

    @Test
    void shouldGiveAPartitionTriggerOnlyAReplicaPerBusyPartition() {
        assertThat(recommend(TriggerOrdering.PARTITION, List.of(50L, 0L, 0L, 7L)).replicas()).isEqualTo(2);
        assertThat(recommend(TriggerOrdering.NONE, List.of(50L, 0L, 0L, 7L)).replicas()).isEqualTo(10);
    }

    @Test
    void shouldTakeTheFunctionsBoundsWithTheCeilingAboveMinReplicas() {
        FunctionSpec warm = FunctionSpec.newBuilder(FUNCTION).setMinReplicas(6).build();
        TriggerSpec trigger = trigger("t", TriggerOrdering.PARTITION);
        List<Long> none = List.of(0L, 0L);
        assertThat(new ReactivePolicy().recommend(TriggerPools.poolSpec(warm, trigger, 2),
                triggerSample(trigger, T0, none, 0)).replicas()).as("min 6, but 2 partitions").isEqualTo(2);
        TriggerSpec queue = trigger("q", TriggerOrdering.NONE);
        assertThat(new ReactivePolicy().recommend(TriggerPools.poolSpec(warm, queue, 2),
                triggerSample(queue, T0, none, 0)).replicas()).isEqualTo(6);
    }

    @Test
    void shouldDecideATriggersPoolApartFromItsFunctionsPool() {
        SimulatedClock clock = new SimulatedClock(T0);
        ScalingController controller = new ScalingController(new ReactivePolicy(),
                new ScalingController.Settings(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(30),
                        100), clock);
        TriggerSpec trigger = trigger("orders", TriggerOrdering.PARTITION);
        List<ScalingDecision> decisions = new ArrayList<>(controller.onSample(FUNCTION,
                Samples.sample(FUNCTION, T0, List.of(3L), 0, 0, 0)));
        decisions.addAll(controller.onSample(TriggerPools.poolSpec(FUNCTION, trigger, 4),
                triggerSample(trigger, T0, List.of(9L, 9L, 9L, 9L), 0)));

        assertThat(decisions).hasSize(2);
        assertThat(decisions.get(0).getTrigger()).isNull();
        assertThat(decisions.get(0).getTo()).isEqualTo(3);
        assertThat(decisions.get(1)).satisfies(d -> {
            assertThat(d.getTrigger()).isEqualTo("orders");
            assertThat(d.getFunction()).isEqualTo("enrich");
            assertThat(d.getFrom()).isZero();
            assertThat(d.getTo()).isEqualTo(4);
        });
        assertThat(controller.current(new FunctionRef("acme", "enrich"))).hasValue(3);
        assertThat(controller.current(PoolRef.of(new TriggerRef("acme", "orders")))).hasValue(4);

        // The trigger goes: its pool to zero, its function's pool stays.
        assertThat(controller.onRemoved(PoolRef.of(new TriggerRef("acme", "orders")), "trigger removed"))
                .singleElement().satisfies(d -> {
                    assertThat(d.getTrigger()).isEqualTo("orders");
                    assertThat(d.getTo()).isZero();
                    assertThat(d.getReason()).isEqualTo("trigger removed");
                });
        assertThat(controller.current(new FunctionRef("acme", "enrich"))).hasValue(3);
        assertThat(controller.knows(PoolRef.of(new TriggerRef("acme", "orders")))).isFalse();
    }

    @Test
    void shouldShowATriggersPoolApartAndLeaveItsFunctionsViewAlone() {
        ScalingView view = new ScalingView();
        TriggerSpec trigger = trigger("orders", TriggerOrdering.PARTITION);
        view.onSample(Samples.sample(FUNCTION, T0, List.of(3L), 0, 0, 1));
        view.onSample(triggerSample(trigger, T0, List.of(9L, 9L, 9L, 9L), 2));

        assertThat(view.get(new FunctionRef("acme", "enrich"))).hasValueSatisfying(s -> {
            assertThat(s.lag()).isEqualTo(3);
            assertThat(s.replicas()).isEqualTo(1);
        });
        assertThat(view.all()).extracting(ScalingView.FunctionScaling::function).containsExactly("enrich");
        assertThat(view.trigger(new TriggerRef("acme", "orders"))).hasValueSatisfying(s -> {
            assertThat(s.function()).isEqualTo("enrich");
            assertThat(s.lag()).isEqualTo(36);
            assertThat(s.replicas()).isEqualTo(2);
        });
        assertThat(view.triggersOfTenant("acme")).extracting(ScalingView.TriggerScaling::trigger)
                .containsExactly("orders");
        view.onRemoved(PoolRef.of(new TriggerRef("acme", "orders")));
        assertThat(view.triggersOfTenant("acme")).isEmpty();
        assertThat(view.get(new FunctionRef("acme", "enrich"))).isPresent();
    }

    @Test
    void shouldResizeTheTriggersPoolNeverItsFunctionsWhenInProcess() {
        List<String> resized = new CopyOnWriteArrayList<>();
        PoolResizer pools = new PoolResizer() {
            @Override
            public void resize(FunctionRef ref, int replicas) {
                resized.add("function " + ref + "=" + replicas);
            }

            @Override
            public void resize(TriggerRef ref, int replicas) {
                resized.add("trigger " + ref + "=" + replicas);
            }
        };
        InProcessActuator actuator = new InProcessActuator(pools);
        actuator.apply(ScalingDecision.newBuilder().setTenant("acme").setFunction("enrich").setTrigger("orders")
                .setAt(T0).setFrom(0).setTo(4).setReason("r").setPolicy("reactive").build());
        actuator.apply(ScalingDecision.newBuilder().setTenant("acme").setFunction("enrich").setAt(T0).setFrom(0)
                .setTo(2).setReason("r").setPolicy("reactive").build());
        actuator.remove(PoolRef.of(new TriggerRef("acme", "orders")));
        assertThat(resized).containsExactly("trigger acme/orders=4", "function acme/enrich=2",
                "trigger acme/orders=0");
    }
}

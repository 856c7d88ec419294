package dev.ferry.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.schemas.ScalingDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AsyncActuatorTest {

    /** Records what it applied; resizes of {@code slow} block until {@code release} opens. */
    private static final class Recorder implements Actuator {
        final List<String> applied = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch slowStarted = new CountDownLatch(1);

        @Override
        public String name() {
            return "recorder";
        }

        @Override
        public void apply(ScalingDecision decision) {
            if (decision.getFunction().equals("slow")) {
                slowStarted.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            applied.add((decision.getTrigger() == null ? "" : "trigger " + decision.getTrigger() + " of ")
                    + decision.getFunction() + "=" + decision.getTo());
        }

        @Override
        public void remove(FunctionRef ref) {
            applied.add(ref.function() + " removed");
        }
    }

    @Test
    void shouldApplyOtherFunctionsWhileOneFunctionsResizeIsSlow() throws Exception {
        Recorder recorder = new Recorder();
        try (AsyncActuator actuator = new AsyncActuator(recorder, 2)) {
            actuator.apply(decision("slow", 0));
            assertThat(recorder.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();

            actuator.apply(decision("fast", 3));
            actuator.remove(new FunctionRef("acme", "gone"));

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> recorder.applied.containsAll(List.of("fast=3", "gone removed")));
            assertThat(recorder.applied).doesNotContain("slow=0");
            recorder.release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.applied.contains("slow=0"));
        }
    }

    @Test
    void shouldApplyOnlyTheLatestOfTheDecisionsThatArrivedWhileAResizeRan() throws Exception {
        Recorder recorder = new Recorder();
        try (AsyncActuator actuator = new AsyncActuator(recorder, 2)) {
            actuator.apply(decision("slow", 5));
            assertThat(recorder.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
            actuator.apply(decision("slow", 1));
            actuator.apply(decision("slow", 2));
            actuator.apply(decision("slow", 3));
            recorder.release.countDown();

            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.applied.contains("slow=3"));
            assertThat(recorder.applied).containsExactly("slow=5", "slow=3");
        }
    }

    /** Issue 14: a trigger's pool is a pool of its own; its decision must not replace its function's. */
    @Test
    void shouldApplyBothWhenATriggersDecisionArrivesWhileItsFunctionsResizeRuns() throws Exception {
        Recorder recorder = new Recorder();
        try (AsyncActuator actuator = new AsyncActuator(recorder, 2)) {
            actuator.apply(decision("slow", 5));
            assertThat(recorder.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
            actuator.apply(decision("slow", 4));
            actuator.apply(ScalingDecision.newBuilder(decision("slow", 7)).setTrigger("orders").build());
            recorder.release.countDown();

            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.applied.size() == 3);
            assertThat(recorder.applied).containsExactlyInAnyOrder("slow=5", "slow=4", "trigger orders of slow=7");
        }
    }

    private static ScalingDecision decision(String function, int to) {
        return ScalingDecision.newBuilder().setTenant("acme").setFunction(function).setAt(Instant.EPOCH)
                .setFrom(0).setTo(to).setReason("test").setPolicy("reactive").build();
    }
}

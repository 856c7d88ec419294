package dev.ferry.core.triggers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.TriggerSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class TriggerCyclesTest {

    private static TriggerSpec trigger(String tenant, String name, String source, String destination) {
        return TriggerSpecs.builder(tenant, name, "echo", List.of(source)).setDestination(destination).build();
    }

    @Test
    void shouldNameTheOwnTriggerWhenTwoTriggersWouldFeedEachOtherForever() {
        // A tester's cyca (cyc1 -> cyc2) and cycb (cyc2 -> cyc1): one record grew both topics without end.
        TriggerSpec cyca = trigger("acme", "cyca", "cyc1", "cyc2");

        assertThat(TriggerCycles.closedBy(trigger("acme", "cycb", "cyc2", "cyc1"), List.of(cyca)))
                .containsExactly("destination 'cyc1' leads back to source topic 'cyc2' through trigger 'cyca' "
                        + "(cyc1 -> cyc2): every output would run the function again, without end and billed every "
                        + "pass");
    }

    @Test
    void shouldFollowLongerPathsAndOnFailureAndCountPausedTriggers() {
        List<TriggerSpec> stored = List.of(
                trigger("acme", "a", "t1", "t2"),
                TriggerSpec.newBuilder(trigger("acme", "b", "t2", null)).setOnFailure("t3").setEnabled(false).build(),
                trigger("acme", "unrelated", "x", "y"));

        assertThat(TriggerCycles.closedBy(trigger("acme", "c", "t3", "t1"), stored)).singleElement()
                .isEqualTo("destination 't1' leads back to source topic 't3' through triggers 'a' (t1 -> t2), 'b' "
                        + "(t2 -> t3, paused: resuming it would start the loop): every output would run the function "
                        + "again, without end and billed every pass");
        TriggerSpec failingBack = TriggerSpec.newBuilder(trigger("acme", "c", "t3", "z")).setOnFailure("t1").build();
        assertThat(TriggerCycles.closedBy(failingBack, stored)).singleElement().asString()
                .startsWith("onFailure 't1' leads back to source topic 't3'")
                .contains("a record that fails every time would come back to the function");
    }

    @Test
    void shouldNotNameAnotherTenantsTriggerWhenASharedTopicClosesTheLoop() {
        List<TriggerSpec> stored = List.of(trigger("acme", "out", "acme.in", "shared"),
                trigger("beta", "secret-relay", "shared", "beta.private"),
                trigger("beta", "secret-back", "beta.private", "acme.back"));

        List<String> errors = TriggerCycles.closedBy(trigger("acme", "back", "acme.back", "acme.in"), stored);

        assertThat(errors).containsExactly("destination 'acme.in' would close a cycle through other triggers back "
                + "to source topic 'acme.back': every output would run the function again, without end and billed "
                + "every pass");
        assertThat(errors.get(0)).doesNotContain("secret", "beta");
    }

    @Test
    void shouldAcceptChainsThatEndAndIgnoreTheStoredVersionOfTheTriggerBeingReplaced() {
        List<TriggerSpec> stored = List.of(trigger("acme", "a", "t1", "t2"), trigger("acme", "b", "t2", "t3"),
                trigger("acme", "c", "t3", "t1"));

        assertThat(TriggerCycles.closedBy(trigger("acme", "d", "t3", "t4"), stored)).isEmpty();
        assertThat(TriggerCycles.closedBy(trigger("acme", "d", "t0", "t1"), stored)).as("a loop it only feeds")
                .isEmpty();
        // c stored closes a loop (stored before this check); replacing it with an end is what breaks it.
        assertThat(TriggerCycles.closedBy(trigger("acme", "c", "t3", "t9"), stored)).isEmpty();
        assertThat(TriggerCycles.closedBy(trigger("acme", "c", "t3", "t1"), stored)).hasSize(1);
        assertThat(TriggerCycles.closedBy(trigger("acme", "solo", "t5", null), stored)).isEmpty();
    }
}

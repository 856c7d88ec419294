package dev.ferry.autoscaler.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.autoscaler.internal.ReplicaBudget.Claim;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the replica budget is shared when demand exceeds it (issue 16 and a tester's finding, session 8). */
class ReplicaBudgetTest {

    @Test
    void shouldLeaveATenthOfTheBudgetForDemandWhenOneFunctionPinsMoreThanTheBudget() {
        Map<String, Integer> allocation = ReplicaBudget.allocate(100, List.of(
                new Claim("default/v12", 1000, 1000), new Claim("acme/pinned", 1, 5), new Claim("beta/busy", 0, 5)));

        assertThat(allocation.get("acme/pinned")).as("its minimum and its share of demand").isEqualTo(5);
        assertThat(allocation.get("beta/busy")).as("a function with demand and no minimum is not starved")
                .isEqualTo(5);
        assertThat(allocation.get("default/v12")).isEqualTo(90);
        assertThat(allocation.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
    }

    @Test
    void shouldGiveEveryPinnedFunctionItsFirstReplicaBeforeAnyGetsItsSecond() {
        Map<String, Integer> allocation = ReplicaBudget.allocate(4, List.of(
                new Claim("a/big", 50, 50), new Claim("b/small", 1, 1), new Claim("c/small", 1, 1)));

        assertThat(allocation).containsEntry("b/small", 1).containsEntry("c/small", 1).containsEntry("a/big", 2);
    }

    @Test
    void shouldGrantEveryClaimWhenDemandFitsTheBudget() {
        Map<String, Integer> allocation = ReplicaBudget.allocate(10, List.of(
                new Claim("a/f", 2, 3), new Claim("b/f", 0, 4)));

        assertThat(allocation).containsEntry("a/f", 3).containsEntry("b/f", 4);
    }
}

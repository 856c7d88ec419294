package dev.ferry.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.ScalingDecision;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolRefTest {

    @Test
    void shouldKeyAFunctionsPoolAsItAlwaysWasAndATriggersPoolApart() {
        assertThat(PoolRef.of(new FunctionRef("acme", "orders")).key()).isEqualTo("acme/orders");
        assertThat(PoolRef.of(new TriggerRef("acme", "orders")).key()).isEqualTo("acme/trigger:orders");
        // A function named "trigger" is no trigger pool, and no trigger's key is a function's.
        assertThat(PoolRef.parseKey("acme/trigger")).isEqualTo(PoolRef.of(new FunctionRef("acme", "trigger")));
        assertThat(PoolRef.parseKey("acme/trigger:orders").triggerRef()).contains(new TriggerRef("acme", "orders"));
        assertThat(PoolRef.parseKey("acme/trigger:orders").function()).isEmpty();
        assertThat(PoolRef.parseKey("acme/orders").function()).contains(new FunctionRef("acme", "orders"));
    }

    @Test
    void shouldRoundTripEveryKeyItWrites() {
        for (PoolRef pool : List.of(PoolRef.of(new FunctionRef("t-1", "f")), PoolRef.of(new TriggerRef("t-1", "f")))) {
            assertThat(PoolRef.parseKey(pool.key())).isEqualTo(pool);
        }
    }

    @Test
    void shouldOrderPoolsExactlyAsTheirKeysCompare() {
        List<PoolRef> pools = List.of(PoolRef.of(new FunctionRef("a", "b")), PoolRef.of(new FunctionRef("a-b", "c")),
                PoolRef.of(new FunctionRef("a", "trigger")), PoolRef.of(new TriggerRef("a", "orders")),
                PoolRef.of(new FunctionRef("a", "trigger-x")), PoolRef.of(new TriggerRef("a", "o")),
                PoolRef.of(new FunctionRef("ab", "a")), PoolRef.of(new FunctionRef("a", "b0")),
                PoolRef.of(new TriggerRef("a", "b")), PoolRef.of(new FunctionRef("a0", "z")));
        for (PoolRef x : pools) {
            for (PoolRef y : pools) {
                assertThat(Integer.signum(PoolRef.BY_KEY.compare(x, y)))
                        .as("%s against %s", x, y).isEqualTo(Integer.signum(x.key().compareTo(y.key())));
            }
        }
    }

    @Test
    void shouldRejectKeysOfNoPoolWithAMessageNamingTheKey() {
        for (String key : List.of("acme", "acme/orders/trigger:x", "acme/trigger:", "acme/trigger:Bad", "/f")) {
            assertThatThrownBy(() -> PoolRef.parseKey(key)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> PoolRef.parseKey("a/b/c")).hasMessageContaining("'a/b/c'");
    }

    @Test
    void shouldTellATriggersSampleAndDecisionFromItsFunctionsByTheTriggerField() {
        LagSample sample = LagSample.newBuilder().setTenant("acme").setFunction("enrich").setAt(Instant.EPOCH)
                .setPartitionLag(List.of(1L)).setTotalLag(1).setArrivalRate(0).setServiceRate(0).setReplicas(0)
                .setTrigger("orders").build();
        assertThat(PoolRef.of(sample)).isEqualTo(PoolRef.of(new TriggerRef("acme", "orders")));
        assertThat(PoolRef.of(LagSample.newBuilder(sample).setTrigger(null).build()))
                .isEqualTo(PoolRef.of(new FunctionRef("acme", "enrich")));
        ScalingDecision decision = ScalingDecision.newBuilder().setTenant("acme").setFunction("enrich")
                .setAt(Instant.EPOCH).setFrom(0).setTo(4).setReason("r").setPolicy("reactive").setTrigger("orders")
                .build();
        assertThat(PoolRef.of(decision).key()).isEqualTo("acme/trigger:orders");
    }
}

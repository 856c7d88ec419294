package dev.ferry.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.triggers.TriggerRef;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class PoolSelectionTest {

    @Test
    void shouldRunEveryPoolWhenNoneIsNamed() {
        PoolSelection pools = new FerryConfig(Map.of()).worker().pools();

        assertThat(pools.all()).isTrue();
        assertThat(pools.runs(new FunctionRef("acme", "resize"))).isTrue();
        assertThat(pools.runs(new TriggerRef("acme", "enrich"))).isTrue();
    }

    @Test
    void shouldRunOnlyTheNamedFunctionAndTriggerPools() {
        PoolSelection pools = new FerryConfig(Map.of(WorkerConfig.POOLS, "acme/resize, acme/trigger:enrich"))
                .worker().pools();

        assertThat(pools.runs(new FunctionRef("acme", "resize"))).isTrue();
        assertThat(pools.runs(new TriggerRef("acme", "enrich"))).isTrue();
        assertThat(pools.runs(new FunctionRef("acme", "enrich"))).as("a trigger's name is not a function's").isFalse();
        assertThat(pools.runs(new TriggerRef("acme", "resize"))).isFalse();
        assertThat(pools.runs(new FunctionRef("other", "resize"))).isFalse();
    }

    @Test
    void shouldRefuseANameThatIsNeitherAFunctionNorATriggerPool() {
        assertThatThrownBy(() -> new FerryConfig(Map.of(WorkerConfig.POOLS, "acme/resize,resize,acme/trigger:")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("worker.pools")
                .hasMessageContaining("'resize'")
                .hasMessageContaining("'acme/trigger:'");
        assertThatThrownBy(() -> PoolSelection.parse(List.of("a/b/c")))
                .hasMessageStartingWith("pools are named tenant/function or tenant/trigger:name; not 'a/b/c'");
    }
}

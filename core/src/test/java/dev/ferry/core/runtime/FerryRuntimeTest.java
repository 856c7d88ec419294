package dev.ferry.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a runtime shares needs no broker: one registry client under every serde, and no use after close. */
class FerryRuntimeTest {

    private static final FerryConfig CONFIG = new FerryConfig(Map.of(FerryConfig.BOOTSTRAP_SERVERS, "127.0.0.1:1",
            FerryConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:1"));

    @Test
    void shouldServeEverySerdeFromOneRegistryClientWhenAskedRepeatedly() {
        try (FerryRuntime runtime = FerryRuntime.create(CONFIG)) {
            assertThat(runtime.serdes()).isSameAs(runtime.serdes());
            assertThat(runtime.registry()).isSameAs(runtime.serdes().registry());
            assertThat(runtime.serdes().serde(FunctionSpec.class)).isSameAs(runtime.serdes().serde(FunctionSpec.class));
            assertThat(runtime.serdes().serde(InvocationResult.class)).isNotNull();
            assertThat(runtime.clients().config()).isSameAs(runtime.config());
        }
    }

    @Test
    void shouldRefuseItsDirectoriesWhenClosed() {
        FerryRuntime runtime = FerryRuntime.create(CONFIG);
        runtime.close();
        runtime.close();

        assertThatThrownBy(runtime::functions).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(runtime::triggers).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}

package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import dev.ferry.worker.builtin.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JavaRuntimeTest {

    /** A user function as a tenant would ship it. */
    public static final class Shout implements Function {
        @Override
        public byte[] apply(Invocation in) {
            return in.payloadAsString().toUpperCase().getBytes(StandardCharsets.UTF_8);
        }
    }

    private static FunctionSpec spec(String handler) {
        return FunctionSpecs.builder("t", "f", Runtime.JAVA, handler).build();
    }

    @Test
    void shouldLoadTheClassWhenTheHandlerIsAClassName() throws Exception {
        Function function = new JavaRuntime().create(spec(Shout.class.getName()));

        Invocation in = new Invocation("id", "hey".getBytes(StandardCharsets.UTF_8), "text/plain", null, Map.of(),
                Map.of(), 1, null, Instant.now().plusSeconds(5));
        assertThat(function.apply(in)).asString(StandardCharsets.UTF_8).isEqualTo("HEY");
    }

    @Test
    void shouldUseTheBuiltInWhenTheHandlerIsAShortName() {
        assertThat(new JavaRuntime().create(spec(" sha256 "))).isInstanceOf(Sha256.class);
    }

    @Test
    void shouldExplainWhenTheHandlerNamesNoFunction() {
        assertThatThrownBy(() -> new JavaRuntime().create(spec("com.example.Missing")))
                .isInstanceOf(FunctionUnavailableException.class)
                .hasMessageContaining("com.example.Missing").hasMessageContaining("echo");
        assertThatThrownBy(() -> new JavaRuntime().create(spec(String.class.getName())))
                .isInstanceOf(FunctionUnavailableException.class).hasMessageContaining("does not implement");
    }

    @Test
    void shouldGiveAFunctionThatFailsEveryCallWhenTheRuntimeCannotCreateOne() {
        Function unavailable = new Runtimes(false).create(FunctionSpecs.builder("t", "f", Runtime.PROCESS, "cat")
                .build());

        assertThatThrownBy(() -> unavailable.apply(null)).isInstanceOf(FunctionUnavailableException.class);
    }
}

package dev.ferry.worker.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.NonRetriableFerryException;
import dev.ferry.core.RetriableFerryException;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuiltInFunctionsTest {

    private static Invocation in(String payload) {
        return new Invocation("id", payload.getBytes(StandardCharsets.UTF_8), "text/plain", null, Map.of(), Map.of(),
                2, null, Instant.now().plusSeconds(10));
    }

    private static Function builtIn(String name) {
        return BuiltInFunctions.create(name).orElseThrow();
    }

    private static String run(String name, Invocation invocation) throws Exception {
        return new String(builtIn(name).apply(invocation), StandardCharsets.UTF_8);
    }

    @Test
    void shouldKnowEveryShortNameOfTheDesignWhenAskedByName() {
        assertThat(BuiltInFunctions.NAMES).containsExactly("echo", "fail", "sha256", "sleep", "wordcount");
        assertThat(BuiltInFunctions.create("nope")).isEmpty();
    }

    @Test
    void shouldReturnThePayloadWhenEchoRuns() throws Exception {
        Invocation invocation = in("same bytes back");
        assertThat(run("echo", invocation)).isEqualTo("same bytes back");
        assertThat(invocation.outputContentType()).isEqualTo("text/plain");
    }

    @Test
    void shouldSleepAndSayHowLongWhenSleepGetsMs() throws Exception {
        long start = System.nanoTime();
        Invocation invocation = in("{\"ms\": 30}");

        assertThat(run("sleep", invocation)).isEqualTo("{\"slept\":30}");
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(30);
        assertThat(invocation.outputContentType()).isEqualTo("application/json");
    }

    @Test
    void shouldRejectThePayloadWhenSleepGetsNoMs() {
        // The caller's error: not worth a retry (it would fail alike), so it ends the invocation at once.
        assertThatThrownBy(() -> run("sleep", in("{\"seconds\": 1}")))
                .isInstanceOf(NonRetriableFerryException.class).hasMessageContaining("{\"ms\": 100}");
    }

    @Test
    void shouldRejectAFractionOfAMillisecondButTakeAWholeNumberWrittenWithADecimalPoint() throws Exception {
        assertThatThrownBy(() -> run("sleep", in("{\"ms\": 1.5}")))
                .isInstanceOf(NonRetriableFerryException.class).hasMessageContaining("whole number");
        assertThatThrownBy(() -> run("sleep", in("{\"ms\": \"5\"}")))
                .isInstanceOf(NonRetriableFerryException.class);
        assertThat(run("sleep", in("{\"ms\": 2.0}"))).isEqualTo("{\"slept\":2}");
    }

    @Test
    void shouldCountWordsWhenWordcountGetsText() throws Exception {
        assertThat(run("wordcount", in("  the quick\nbrown\tfox  "))).isEqualTo("{\"words\":4}");
        assertThat(run("wordcount", in("   "))).isEqualTo("{\"words\":0}");
    }

    @Test
    void shouldHashThePayloadWhenSha256Runs() throws Exception {
        assertThat(run("sha256", in("abc")))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void shouldThrowARetriableErrorWhenFailRuns() {
        assertThatThrownBy(() -> run("fail", in("x")))
                .isInstanceOf(RetriableFerryException.class).hasMessageContaining("attempt 2");
    }
}

package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

class ProcessRuntimeTest {

    /** The largest output kept: small, so an output over it is cheap to make. */
    private static final int LIMIT = 64 * 1024;

    private static FunctionSpec spec(String command) {
        return FunctionSpecs.builder("t", "f", Runtime.PROCESS, command).setEnv(Map.of("GREETING", "hey")).build();
    }

    private static Invocation invocation(String payload) {
        return new Invocation("id", payload.getBytes(StandardCharsets.UTF_8), "text/plain", null, Map.of(),
                Map.of("GREETING", "hey"), 1, null, Instant.now().plusSeconds(10));
    }

    @Test
    void shouldBeRefusedWhenTheRuntimeIsNotEnabled() {
        assertThat(FerryConfig.defaults().worker().processRuntimeEnabled()).isFalse();
        assertThatThrownBy(() -> new ProcessRuntime(false, LIMIT).create(spec("cat")))
                .isInstanceOf(FunctionUnavailableException.class)
                .hasMessageContaining("worker.process.runtime.enabled=true");
    }

    @Test
    void shouldPipeThePayloadThroughWhenTheCommandIsCat() throws Exception {
        byte[] output = new ProcessRuntime(true, LIMIT).create(spec("cat")).apply(invocation("through the pipe"));

        assertThat(output).asString(StandardCharsets.UTF_8).isEqualTo("through the pipe");
    }

    @Test
    void shouldSeeTheFunctionsEnvWhenTheCommandReadsIt() throws Exception {
        byte[] output = new ProcessRuntime(true, LIMIT).create(spec("printf %s \"$GREETING\"")).apply(invocation(""));

        assertThat(output).asString(StandardCharsets.UTF_8).isEqualTo("hey");
    }

    @Test
    void shouldFailWithStderrsTailWhenTheCommandExitsNonZero() {
        Function failing = new ProcessRuntime(true, LIMIT).create(spec("echo 'disk on fire' >&2; exit 3"));

        assertThatThrownBy(() -> failing.apply(invocation("x")))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("exited with 3")
                .hasMessageContaining("disk on fire");
    }

    @Test
    void shouldKillTheCommandWhenTheAttemptTimesOut() {
        ExecutorService threads = Executors.newCachedThreadPool();
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        try {
            Function slow = new ProcessRuntime(true, LIMIT).create(spec("sleep 30"));
            long start = System.nanoTime();

            Outcome outcome = new Invoker(threads, timers, Clock.systemUTC()).run(slow, invocation(""), 200).join();

            assertThat(outcome.status()).isEqualTo(InvocationStatus.TIMED_OUT);
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        } finally {
            threads.shutdownNow();
            timers.shutdownNow();
        }
    }

    @Test
    void shouldStopReadingOneByteOverTheLimitAndKillTheCommandWhenItPrintsWithoutEnd() throws Exception {
        // 'yes' prints until killed: a runtime reading stdout to its end would never answer (and fill the heap).
        Function endless = new ProcessRuntime(true, LIMIT).create(spec("yes ferry"));

        byte[] output = endless.apply(invocation(""));

        // One byte over the limit: the result's size check then fails it as output_too_large.
        assertThat(output).hasSize(LIMIT + 1);
        assertThat(new String(output, 0, 12, StandardCharsets.UTF_8)).isEqualTo("ferry\nferry\n");
    }

    @Test
    void shouldKeepOnlyStderrsTailWhenACommandWritesMuchToIt() {
        Function noisy = new ProcessRuntime(true, LIMIT).create(spec(
                "head -c 3000000 /dev/zero | tr '\\0' x >&2; echo 'the real reason' >&2; exit 4"));

        assertThatThrownBy(() -> noisy.apply(invocation("")))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("exited with 4")
                .hasMessageEndingWith("the real reason")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(ProcessRuntime.STDERR_TAIL_BYTES + 100));
    }
}

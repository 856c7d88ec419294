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

    /**
     * Session 11: an HTTP function got the invocation id, the attempt and the invocation's headers (traceparent, a
     * trigger's ferry.source.*), a PROCESS function none of them. It gets the same facts as environment variables.
     */
    @Test
    void shouldSeeTheAttemptsFactsAndTraceContextAsEnvironmentVariables() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("traceparent", traceparent);
        headers.put("ferry.source.topic", "orders");
        headers.put("ferry.source.partition", "2");
        headers.put("ferry.source.offset", "41");
        headers.put("ferry.source.timestamp", "1764558000000");
        headers.put("ferry.source.key", "k-1");
        headers.put("PATH", "/nowhere");
        Instant deadline = Instant.ofEpochMilli(1764558123456L);
        Instant timeoutAt = Instant.now().plusSeconds(10);
        Invocation in = new Invocation("inv-9", new byte[0], "application/json", "k-1", headers,
                Map.of("GREETING", "hey"), 2, deadline, timeoutAt);
        String[] names = {"FERRY_INVOCATION_ID", "FERRY_ATTEMPT", "FERRY_TENANT", "FERRY_FUNCTION", "FERRY_KEY",
            "FERRY_DEADLINE_MS", "FERRY_TIMEOUT_AT_MS", "FERRY_CONTENT_TYPE", "TRACEPARENT", "FERRY_SOURCE_TOPIC",
            "FERRY_SOURCE_PARTITION", "FERRY_SOURCE_OFFSET", "FERRY_SOURCE_TIMESTAMP", "FERRY_SOURCE_KEY", "GREETING"};
        StringBuilder command = new StringBuilder();
        for (String name : names) {
            command.append("printf '%s=%s\\n' ").append(name).append(" \"$").append(name).append("\"; ");
        }

        String output = new String(new ProcessRuntime(true, LIMIT).create(spec(command.toString())).apply(in),
                StandardCharsets.UTF_8);

        assertThat(output.lines()).containsExactly("FERRY_INVOCATION_ID=inv-9", "FERRY_ATTEMPT=2",
                "FERRY_TENANT=t", "FERRY_FUNCTION=f", "FERRY_KEY=k-1", "FERRY_DEADLINE_MS=1764558123456",
                "FERRY_TIMEOUT_AT_MS=" + timeoutAt.toEpochMilli(), "FERRY_CONTENT_TYPE=application/json",
                "TRACEPARENT=" + traceparent, "FERRY_SOURCE_TOPIC=orders", "FERRY_SOURCE_PARTITION=2",
                "FERRY_SOURCE_OFFSET=41", "FERRY_SOURCE_TIMESTAMP=1764558000000", "FERRY_SOURCE_KEY=k-1",
                "GREETING=hey");
    }

    /**
     * The platform's variables win over the function's env and the worker's own: a function relying on
     * FERRY_INVOCATION_ID to be idempotent must never read a value from its deploy, and a variable the attempt has
     * no value for (no trace context here) is unset, not left as the worker or the deploy had it.
     */
    @Test
    void shouldSetThePlatformsVariablesOverTheFunctionsEnvAndTheWorkersWhenNamesCollide() {
        FunctionSpec spec = FunctionSpecs.builder("t", "f", Runtime.PROCESS, "env")
                .setEnv(Map.of("FERRY_INVOCATION_ID", "stale", "TRACEPARENT", "00-fake", "GREETING", "hey")).build();
        Invocation in = new Invocation("inv-10", new byte[0], "text/plain", null,
                Map.of("Traceparent", "00-real", "PATH", "/nowhere"), spec.getEnv(), 1, null,
                Instant.now().plusSeconds(10));
        Map<String, String> environment = new java.util.HashMap<>(Map.of("PATH", "/usr/bin", "FERRY_KEY", "worker's",
                "TRACESTATE", "worker's", "HOME", "/home/ferry"));

        ProcessRuntime.environment(environment, spec, in);

        assertThat(environment).containsEntry("FERRY_INVOCATION_ID", "inv-10").containsEntry("TRACEPARENT", "00-real")
                .containsEntry("GREETING", "hey").containsEntry("PATH", "/usr/bin").containsEntry("HOME", "/home/ferry")
                .doesNotContainKeys("FERRY_KEY", "TRACESTATE", "FERRY_DEADLINE_MS", "FERRY_SOURCE_TOPIC")
                .as("no header but the listed ones becomes a variable").doesNotContainValue("/nowhere");

        Invocation untraced = new Invocation("inv-11", new byte[0], "text/plain", "k\0ey", Map.of(), spec.getEnv(), 1,
                null, Instant.now().plusSeconds(10));
        Map<String, String> second = new java.util.HashMap<>();
        ProcessRuntime.environment(second, spec, untraced);
        assertThat(second).as("no trace context: the deploy's fake one is not set either; a NUL cannot be carried")
                .doesNotContainKeys("TRACEPARENT", "FERRY_KEY").containsEntry("FERRY_INVOCATION_ID", "inv-11");
    }

    /** Tester 14A, finding 13: the marks of a base64 key are variables as well. */
    @Test
    void shouldSetTheKeysEncodingMarksAsVariables() {
        FunctionSpec spec = FunctionSpecs.builder("t", "f", Runtime.PROCESS, "env").build();
        Invocation in = new Invocation("inv-13", new byte[0], "text/plain", "AA==",
                Map.of(Invocation.KEY_ENCODING, "base64", "ferry.source.key", "AA==", "ferry.source.key.encoding",
                        "base64"), Map.of(), 1, null, Instant.now().plusSeconds(10));
        Map<String, String> environment = new java.util.HashMap<>(Map.of("FERRY_KEY_ENCODING", "worker's"));

        ProcessRuntime.environment(environment, spec, in);

        assertThat(environment).containsEntry("FERRY_KEY", "AA==").containsEntry("FERRY_KEY_ENCODING", "base64")
                .containsEntry("FERRY_SOURCE_KEY_ENCODING", "base64");
        Map<String, String> plain = new java.util.HashMap<>(Map.of("FERRY_KEY_ENCODING", "worker's"));
        ProcessRuntime.environment(plain, spec, new Invocation("inv-14", new byte[0], "text/plain", "k", Map.of(),
                Map.of(), 1, null, Instant.now().plusSeconds(10)));
        assertThat(plain).containsEntry("FERRY_KEY", "k").doesNotContainKey("FERRY_KEY_ENCODING");
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

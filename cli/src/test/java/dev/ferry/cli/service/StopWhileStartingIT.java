package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tester 18A, finding 5: a SIGTERM (or Ctrl-C) that came while a {@code ferry} command was still starting ended the
 * JVM with status 143, said neither {@code Stopping Ferry <name>...} nor {@code Ferry <name> stopped in}, and closed
 * nothing it had started: the embedded broker's data directory was left as after a crash. Each command runs here as
 * a user runs it, in a JVM of its own, stopped with SIGTERM ({@link Process#destroy()}) in the middle of its start.
 */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StopWhileStartingIT {

    /**
     * What Kafka's log manager writes in each log directory as it stops cleanly (its {@code
     * CleanShutdownFileHandler}); a directory without it is recovered at the next start, as after a crash.
     */
    private static final String CLEAN_SHUTDOWN_FILE = ".kafka_cleanshutdown";

    @TempDir
    Path dir;

    @Test
    void shouldCloseWhatDevStartedAndExit0WhenStoppedRightAfterItsBrokerStarted() throws Exception {
        Path dataDir = dir.resolve("data");
        Path output = dir.resolve("dev.log");
        Process dev = ferry(output, "dev", "--data-dir", dataDir.toString(), "--port", String.valueOf(freePort()),
                "--kafka-port", String.valueOf(freePort()), "--registry-port", String.valueOf(freePort()),
                "--set", "metering.http.port=0", "--set", "management.port=0");
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                    .until(() -> read(output).matches("(?s).*\\n\\s*kafka\\s+started in \\d+ ms.*"));

            dev.destroy();

            assertThat(dev.waitFor(90, TimeUnit.SECONDS)).as("dev ends after SIGTERM").isTrue();
        } finally {
            dev.destroyForcibly().waitFor();
        }
        String said = read(output);
        assertThat(dev.exitValue()).as("exit status after SIGTERM; the console said:%n%s", said).isZero();
        assertThat(said).contains("Stopping Ferry dev...").containsPattern("Ferry dev stopped in \\d+[.,]\\d s");
        assertThat(said.indexOf("Stopping Ferry dev...")).isLessThan(said.indexOf("Ferry dev stopped in"));
        assertThat(said).as("no ready banner for a start that was abandoned").doesNotContain("Ferry dev is ready");
        // The start stops at its next step: the platform's services, seconds after the broker, never start.
        assertThat(said).as("the start was abandoned, not run to its end").doesNotContainPattern("gateway\\s+started");
        assertThat(dataDir.resolve("kafka").resolve("kafka").resolve(CLEAN_SHUTDOWN_FILE))
                .as("the broker was stopped cleanly, not left as after a crash").exists();
    }

    /**
     * A service command waits up to {@code schema.registry.wait.ms} for its registry before anything else; a stop
     * must cut that wait short (an orchestrator sends SIGKILL after a grace period of its own, 30 s in Kubernetes).
     */
    @Test
    void shouldEndAServiceWaitingForItsSchemaRegistryAtOnceWithExit0WhenStopped() throws Exception {
        Path output = dir.resolve("dispatcher.log");
        Process dispatcher = ferry(output, "dispatcher", "--bootstrap-servers", "127.0.0.1:" + freePort(),
                "--schema-registry", "http://127.0.0.1:" + freePort(), "--management-port", "-1",
                "--set", "schema.registry.wait.ms=600000");
        long stopBegan;
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> read(output).contains("Waiting up to 600 s for the schema registry"));

            stopBegan = System.nanoTime();
            dispatcher.destroy();

            assertThat(dispatcher.waitFor(60, TimeUnit.SECONDS)).as("the dispatcher ends after SIGTERM").isTrue();
        } finally {
            dispatcher.destroyForcibly().waitFor();
        }
        long stopMillis = (System.nanoTime() - stopBegan) / 1_000_000;
        String said = read(output);
        assertThat(dispatcher.exitValue()).as("exit status after SIGTERM; the console said:%n%s", said).isZero();
        assertThat(said).contains("Stopping Ferry dispatcher...")
                .containsPattern("Ferry dispatcher stopped in \\d+[.,]\\d s")
                .doesNotContain("Ferry dispatcher is running");
        assertThat(stopMillis).as("the stop did not wait out the registry wait").isLessThan(30_000);
    }

    /** Runs {@code ferry args...} in a JVM of its own, its console (stdout and stderr) going to {@code output}. */
    private static Process ferry(Path output, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx768m", "-cp", System.getProperty("java.class.path"), "dev.ferry.cli.Ferry"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    private static String read(Path output) throws IOException {
        return Files.exists(output) ? Files.readString(output) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.cli.CliException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ferry dev} refuses a taken port before it starts the broker, naming the option that moves it (it used to
 * fail only after 14 to 19 s of starting, with a warning from each service).
 */
class DevPortCheckTest {

    @TempDir
    Path dataDir;

    @Test
    void shouldRefuseATakenMeteringPortBeforeStartingAnything() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(0));
            int port = taken.getLocalPort();
            StringWriter out = new StringWriter();

            assertThatThrownBy(() -> start(out, "--metering-port", String.valueOf(port)))
                    .isInstanceOf(CliException.class)
                    .hasMessage("port " + port + " (metering usage API) is in use; choose another with --metering-port");
            assertThat(out.toString()).as("nothing started").doesNotContain("kafka");
        }
    }

    @Test
    void shouldNameEveryTakenPortWithItsOption() throws Exception {
        try (ServerSocket gateway = new ServerSocket(); ServerSocket registry = new ServerSocket()) {
            gateway.bind(new InetSocketAddress(0));
            registry.bind(new InetSocketAddress(0));

            assertThatThrownBy(() -> start(new StringWriter(), "--port", String.valueOf(gateway.getLocalPort()),
                    "--registry-port", String.valueOf(registry.getLocalPort())))
                    .isInstanceOf(CliException.class)
                    .hasMessageContaining("port " + gateway.getLocalPort() + " (gateway) is in use; choose another "
                            + "with --port")
                    .hasMessageContaining("; port " + registry.getLocalPort() + " (embedded schema registry) is in use");
        }
    }

    /**
     * A stopped process leaves its closed connections in TIME_WAIT for a minute; servers bind over them with
     * SO_REUSEADDR, so must the check, or {@code ferry dev} restarted right after a stop is refused (found by a user).
     */
    @Test
    void shouldTakeAPortWhoseConnectionsAreOnlyInTimeWaitAsFree() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(0));
            port = server.getLocalPort();
            try (Socket client = new Socket("localhost", port); Socket accepted = server.accept()) {
                accepted.close(); // the server's side closes first: its end of the connection waits in TIME_WAIT
            }
        }
        assertThat(PortCheck.free(port)).isTrue();
    }

    @Test
    void shouldRefuseOnePortChosenForTwoListeners() {
        int port = freePort();
        assertThatThrownBy(() -> start(new StringWriter(), "--port", String.valueOf(port),
                "--set", "metering.http.port=" + port))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("port " + port + " is chosen for both the gateway and the metering usage API");
    }

    /** Starts dev on free ports (0) but for {@code chosen}: option, value, option, value, ... */
    private void start(StringWriter out, String... chosen) {
        Map<String, String> options = new LinkedHashMap<>(Map.of("--port", "0", "--kafka-port", "0",
                "--registry-port", "0", "--metering-port", "0"));
        List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(), "--set", "management.port=0"));
        for (int i = 0; i < chosen.length; i += 2) {
            if (chosen[i].equals("--set")) {
                args.addAll(List.of(chosen[i], chosen[i + 1]));
            } else {
                options.put(chosen[i], chosen[i + 1]);
            }
        }
        options.forEach((option, value) -> args.addAll(List.of(option, value)));
        DevOptions parsed = new DevOptions();
        new CommandLine(parsed).parseArgs(args.toArray(String[]::new));
        DevEnvironment.start(parsed.settings(), new PrintWriter(out)).close();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.cli.Ferry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * A tester's report (session 12): {@code ferry dispatcher} with a wrong {@code --schema-registry} (nothing listening
 * there, or a server answering 404) printed "dispatcher started" and "running", took partitions of
 * ferry.invocations and stalled every call on them. Every service now checks its registry first, within
 * {@code schema.registry.wait.ms}, and a wrong one is a usage error: exit 2, the URL and why. The registry is asked
 * before Kafka, so no broker is needed here.
 */
class RegistryStartCheckTest {

    private record Run(int exit, String out, String err) {
    }

    private static Run dispatcher(String registry) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Ferry.execute(new PrintWriter(out, true), new PrintWriter(err, true), "dispatcher",
                "--bootstrap-servers", "127.0.0.1:1", "--schema-registry", registry, "--management-port", "-1",
                "--set", "schema.registry.wait.ms=1000");
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldExit2NamingTheUrlWhenNothingListensAtTheSchemaRegistryUrl() throws IOException {
        String url;
        try (ServerSocket socket = new ServerSocket(0)) {
            url = "http://127.0.0.1:" + socket.getLocalPort();
        }

        Run run = dispatcher(url);

        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith("ferry: The schema registry at " + url).contains("GET /subjects")
                .contains("within 1 s").contains("unreachable");
        assertThat(run.out()).doesNotContain("running");
    }

    @Test
    void shouldExit2WhenTheSchemaRegistryUrlAnswers404() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(404, -1);
            }
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();

            Run run = dispatcher(url);

            assertThat(run.exit()).as(run.err()).isEqualTo(2);
            assertThat(run.err()).contains(url).contains("answered 404").contains("--schema-registry");
        } finally {
            server.stop(0);
        }
    }
}

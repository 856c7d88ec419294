package dev.ferry.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.schemas.registry.RestSchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a service asks whether its schema registry can serve it, at start and while it runs (session 12): nothing
 * listening and another server's 404 are both "no", said with the URL; a registry that comes up during the bounded
 * wait is waited for.
 */
class RegistryCheckTest {

    private HttpServer server;
    /** From which ask of {@code /subjects} on (1 = the first) the server is a registry; 0: never. */
    private volatile int registryFrom;
    private final AtomicInteger asked = new AtomicInteger();

    /** A server that answers 404 with an HTML page, as a wrong URL does, until it becomes a registry. */
    private String start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                boolean subjects = exchange.getRequestURI().getPath().equals("/subjects");
                int ask = subjects ? asked.incrementAndGet() : 0;
                boolean api = subjects && registryFrom > 0 && ask >= registryFrom;
                byte[] body = (api ? "[\"ferry.functions-value\"]" : "<html>Not Found</html>")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(api ? 200 : 404, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static SchemaRegistryClient client(String url) {
        return RestSchemaRegistryClient.fromConfig(Map.of("schema.registry.url", url));
    }

    @Test
    void shouldSayNothingListensNamingTheUrlWhenNoRegistryAnswers() throws IOException {
        String url;
        try (ServerSocket socket = new ServerSocket(0)) {
            url = "http://127.0.0.1:" + socket.getLocalPort();
        }

        assertThatThrownBy(() -> RegistryCheck.await(client(url), List.of(url), Duration.ZERO))
                .isInstanceOf(RegistryCheck.RegistryUnavailableException.class)
                .hasMessageContaining(url).hasMessageContaining("GET /subjects").hasMessageContaining("unreachable")
                .hasMessageContaining("--schema-registry");
    }

    @Test
    void shouldTakeAServerAnswering404ForNoRegistry() throws IOException {
        String url = start();

        assertThat(RegistryCheck.problem(client(url))).hasValueSatisfying(problem -> assertThat(problem)
                .contains(url).contains("404"));
        assertThatThrownBy(() -> RegistryCheck.await(client(url), List.of(url), Duration.ofMillis(1_500)))
                .isInstanceOf(RegistryCheck.RegistryUnavailableException.class).hasMessageContaining("404")
                .hasMessageContaining("within 1500 ms");
    }

    @Test
    void shouldWaitForARegistryThatComesUpWithinTheWait() throws Exception {
        String url = start();
        registryFrom = 3; // the registry's container, up a moment after the service's: two asks answered 404

        RegistryCheck.await(client(url), List.of(url), Duration.ofSeconds(30));

        assertThat(asked).as("asked again until it answered").hasValue(3);
        assertThat(RegistryCheck.problem(client(url))).isEmpty();
    }
}

package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.FerryException;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.Runtime;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpRuntimeTest {

    private HttpServer server;
    private final AtomicReference<String> seenContentType = new AtomicReference<>();
    private final AtomicReference<String> seenInvocationId = new AtomicReference<>();
    private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/upper", exchange -> {
            seenContentType.set(exchange.getRequestHeaders().getFirst("Content-Type"));
            seenInvocationId.set(exchange.getRequestHeaders().getFirst("Ferry-Invocation-Id"));
            byte[] body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                    .toUpperCase().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/x-upper");
            respond(exchange, 200, body);
        });
        server.createContext("/broken", exchange -> {
            exchange.getRequestBody().readAllBytes();
            respond(exchange, 500, ("database down " + "x".repeat(5000)).getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/slow", exchange -> {
            exchange.getRequestBody().readAllBytes();
            try {
                // Holds the answer until the test is over: far past any attempt's timeout.
                release.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, 200, new byte[0]);
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, byte[] body)
            throws IOException {
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private Function function(String path) {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + path;
        return new HttpRuntime(HttpClient.newHttpClient())
                .create(FunctionSpecs.builder("t", "f", Runtime.HTTP, url).build());
    }

    private static Invocation invocation(String payload) {
        return new Invocation("inv-7", payload.getBytes(StandardCharsets.UTF_8), "text/plain", null, Map.of(),
                Map.of(), 1, null, Instant.now().plusSeconds(10));
    }

    @Test
    void shouldReturnTheBodyWhenTheEndpointAnswers2xx() throws Exception {
        Invocation in = invocation("hello");

        byte[] output = function("/upper").apply(in);

        assertThat(output).asString(StandardCharsets.UTF_8).isEqualTo("HELLO");
        assertThat(in.outputContentType()).isEqualTo("text/x-upper");
        assertThat(seenContentType.get()).isEqualTo("text/plain");
        assertThat(seenInvocationId.get()).isEqualTo("inv-7");
    }

    @Test
    void shouldFailWithTheStatusAndTheBodysHeadWhenTheEndpointAnswers500() {
        assertThatThrownBy(() -> function("/broken").apply(invocation("x")))
                .isInstanceOf(FerryException.class)
                .hasMessageContaining("HTTP 500")
                .hasMessageContaining("database down")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(HttpRuntime.ERROR_BODY_BYTES + 200));
    }

    @Test
    void shouldTimeOutWhenTheEndpointAnswersTooLate() {
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
        java.util.concurrent.ScheduledExecutorService timers =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            Invocation in = new Invocation("inv-8", new byte[0], "text/plain", null, Map.of(), Map.of(), 1, null,
                    Instant.now().plusMillis(200));

            Outcome outcome = new Invoker(threads, timers, java.time.Clock.systemUTC()).run(function("/slow"), in,
                    200).join();

            assertThat(outcome.status()).isEqualTo(dev.ferry.schemas.InvocationStatus.TIMED_OUT);
        } finally {
            threads.shutdownNow();
            timers.shutdownNow();
        }
    }

    @Test
    void shouldRefuseTheHandlerWhenItIsNotAnHttpUrl() {
        assertThatThrownBy(() -> new HttpRuntime(HttpClient.newHttpClient())
                .create(FunctionSpecs.builder("t", "f", Runtime.HTTP, "ftp://example.com").build()))
                .isInstanceOf(FunctionUnavailableException.class);
    }
}

package dev.ferry.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.FerryException;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.net.EgressPolicy;
import dev.ferry.schemas.Runtime;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpRuntimeTest {

    private HttpServer server;
    private final AtomicReference<String> seenContentType = new AtomicReference<>();
    private final AtomicReference<String> seenInvocationId = new AtomicReference<>();
    private final AtomicReference<String> seenUpgrade = new AtomicReference<>();
    private final AtomicReference<com.sun.net.httpserver.Headers> seenHeaders = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.CountDownLatch endlessDone = new java.util.concurrent.CountDownLatch(1);
    /** Where the endless answer gives up, so a runtime that reads it all still ends: far over {@link #LIMIT}. */
    private static final long SERVE_AT_MOST = 512L * 1024 * 1024;
    /** The largest output kept by the runtime under test. */
    private static final int LIMIT = 256 * 1024;
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
        server.createContext("/headers", exchange -> {
            seenHeaders.set(exchange.getRequestHeaders());
            exchange.getRequestBody().readAllBytes();
            respond(exchange, 200, new byte[0]);
        });
        server.createContext("/broken", exchange -> {
            exchange.getRequestBody().readAllBytes();
            respond(exchange, 500, ("database down " + "x".repeat(5000)).getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/redirect", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Location", "/upper");
            respond(exchange, 302, new byte[0]);
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
        server.createContext("/endless", exchange -> {
            seenUpgrade.set(String.valueOf(exchange.getRequestHeaders().getFirst("Upgrade")));
            exchange.getRequestBody().readAllBytes();
            // Chunked, without end: only the reader can stop it, by going away (the write then fails).
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'a');
            try (OutputStream out = exchange.getResponseBody()) {
                while (served.get() < SERVE_AT_MOST) {
                    out.write(chunk);
                    served.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // The runtime closed the connection: what a bounded reader does.
            } finally {
                endlessDone.countDown();
            }
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

    /** The test server is on loopback, which the egress policy refuses unless allowed, as ferry dev does. */
    private static final EgressPolicy LOOPBACK_ALLOWED = EgressPolicy.allowing(List.of("127.0.0.1/32"));

    private Function function(String path) {
        return function(LOOPBACK_ALLOWED, "http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static Function function(EgressPolicy egress, String url) {
        return new HttpRuntime(HttpClient.newHttpClient(), egress, LIMIT)
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
    void shouldPassTheInvocationsHeadersOnAsRequestHeadersLeavingOutWhatHttpCannotCarryAsItIs() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("traceparent", traceparent);
        headers.put("ferry.source.topic", "orders");
        headers.put("ferry.source.key", "k\u00e9");
        headers.put("Host", "elsewhere.example");
        headers.put("Ferry-Attempt", "9");
        headers.put("bad name", "x");
        Invocation in = new Invocation("inv-8", new byte[0], "text/plain", null, headers, Map.of(), 1, null,
                Instant.now().plusSeconds(10));

        function("/headers").apply(in);

        com.sun.net.httpserver.Headers seen = seenHeaders.get();
        assertThat(seen.getFirst("traceparent")).isEqualTo(traceparent);
        assertThat(seen.getFirst("ferry.source.topic")).isEqualTo("orders");
        assertThat(seen.get("ferry.source.key")).as("changed to ? by the JDK client: left out").isNull();
        assertThat(seen.getFirst("Host")).startsWith("127.0.0.1");
        assertThat(seen.get("Ferry-Attempt")).containsExactly("1");
        assertThat(seen.get("bad name")).isNull();
    }

    /**
     * Session 11: the facts a JAVA function reads from its Invocation (key, the caller's deadline, when the attempt
     * times out) and a PROCESS function now gets as variables reach an HTTP function as headers too, under the names
     * of InvocationFacts; a producer's own Ferry-* header cannot stand in for one of them.
     */
    @Test
    void shouldSendTheAttemptsFactsAsFerryHeadersAndNoFerryHeaderOfTheInvocations() throws Exception {
        Instant deadline = Instant.ofEpochMilli(1764558123456L);
        Instant timeoutAt = Instant.now().plusSeconds(10);
        Invocation in = new Invocation("inv-9", new byte[0], "application/json", "order-1",
                Map.of("Ferry-Tenant", "someone-else", "ferry-function", "other", "Ferry-Whatever", "x"), Map.of(),
                3, deadline, timeoutAt);

        function("/headers").apply(in);

        com.sun.net.httpserver.Headers seen = seenHeaders.get();
        assertThat(seen.get("Ferry-Invocation-Id")).containsExactly("inv-9");
        assertThat(seen.get("Ferry-Attempt")).containsExactly("3");
        assertThat(seen.get("Ferry-Tenant")).containsExactly("t");
        assertThat(seen.get("Ferry-Function")).containsExactly("f");
        assertThat(seen.get("Ferry-Key")).containsExactly("order-1");
        assertThat(seen.get("Ferry-Deadline-Ms")).containsExactly("1764558123456");
        assertThat(seen.get("Ferry-Timeout-At-Ms")).containsExactly(String.valueOf(timeoutAt.toEpochMilli()));
        assertThat(seen.get("Content-Type")).containsExactly("application/json");
        assertThat(seen.get("Ferry-Whatever")).as("Ferry-* is the runtime's").isNull();

        Invocation plain = new Invocation("inv-10", new byte[0], "text/plain", "cl\u00e9", Map.of(), Map.of(), 1, null,
                Instant.now().plusSeconds(10));
        function("/headers").apply(plain);
        assertThat(seenHeaders.get().get("Ferry-Key")).as("not ASCII: left out, not changed").isNull();
        assertThat(seenHeaders.get().get("Ferry-Deadline-Ms")).as("the caller set none").isNull();
    }

    /** Tester 14A, finding 13: a key given as base64 reaches the function marked, never left out. */
    @Test
    void shouldMarkABase64KeyWithFerryKeyEncodingAndPassTheSourceKeysMarkOn() throws Exception {
        Invocation in = new Invocation("inv-12", new byte[0], "text/plain", "AAAAAFsOb3JkZXItMQ==",
                Map.of(Invocation.KEY_ENCODING, "base64", "ferry.source.key", "AAAAAFsOb3JkZXItMQ==",
                        "ferry.source.key.encoding", "base64"), Map.of(), 1, null, Instant.now().plusSeconds(10));

        function("/headers").apply(in);

        com.sun.net.httpserver.Headers seen = seenHeaders.get();
        assertThat(seen.get("Ferry-Key")).containsExactly("AAAAAFsOb3JkZXItMQ==");
        assertThat(seen.get("Ferry-Key-Encoding")).containsExactly("base64");
        assertThat(seen.get("ferry.source.key.encoding")).containsExactly("base64");
        assertThat(seen.get(Invocation.KEY_ENCODING)).as("sent as the fact Ferry-Key-Encoding only").isNull();
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
    void shouldSayInWordsWhichCallFailedWhenTheEndpointCannotBeReached() throws Exception {
        int closed;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            closed = free.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closed + "/gone";

        // What a user reads in the result's error: no Java class name in front (the tester saw "IOException: ...").
        assertThatThrownBy(() -> function(LOOPBACK_ALLOWED, url).apply(invocation("x")))
                .isInstanceOf(FerryException.class)
                .satisfies(e -> assertThat(Outcome.describe(e)).startsWith("Calling " + url + " failed: ")
                        .doesNotContain("Exception"));
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
        assertThatThrownBy(() -> function(LOOPBACK_ALLOWED, "ftp://example.com"))
                .isInstanceOf(FunctionUnavailableException.class);
    }

    /** Issue 12: a handler must not reach the platform's own services on the worker host. */
    @Test
    void shouldRefuseTheWorkersOwnHostAndMetadataAddressesWhenTheyAreNotAllowed() {
        EgressPolicy defaults = EgressPolicy.allowing(List.of());
        int port = server.getAddress().getPort();
        for (String url : List.of("http://127.0.0.1:" + port + "/upper", "http://localhost:" + port + "/upper",
                "http://[::1]:" + port + "/upper", "http://0.0.0.0:" + port + "/upper",
                "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/x", "http://[fd00:ec2::254]/x",
                "http://user:SECRET@127.0.0.2:9092/")) {
            assertThatThrownBy(() -> function(defaults, url)).as(url)
                    .isInstanceOf(FunctionUnavailableException.class)
                    .hasMessageContaining("egress policy").hasMessageContaining("worker.http.egress.allow")
                    .hasMessageNotContaining("SECRET");
        }
        assertThat(seenInvocationId.get()).as("nothing reached the server").isNull();
    }

    /**
     * Tester 15A, finding 5: a gateway co-located with the worker and bound to 0.0.0.0 answered a handler that named
     * the host's eth0 address, and its answer went back to the tenant. Every address of the host is its own.
     */
    @Test
    void shouldRefuseTheWorkersOwnNonLoopbackAddressesWhereAWildcardListenerAnswers() throws Exception {
        InetAddress own = null;
        for (java.net.NetworkInterface nic : java.util.Collections.list(
                java.net.NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                if (address instanceof java.net.Inet4Address && !address.isLoopbackAddress()
                        && !address.isLinkLocalAddress()) {
                    own = address;
                }
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(own != null, "a non-loopback IPv4 interface address");
        HttpServer everywhere = HttpServer.create(new InetSocketAddress(0), 0); // 0.0.0.0, as a gateway binds
        AtomicReference<String> reached = new AtomicReference<>();
        everywhere.createContext("/readyz", exchange -> {
            reached.set(exchange.getRequestURI().toString());
            exchange.getRequestBody().readAllBytes();
            respond(exchange, 200, "ready".getBytes(StandardCharsets.UTF_8));
        });
        everywhere.start();
        try {
            String url = "http://" + own.getHostAddress() + ":" + everywhere.getAddress().getPort() + "/readyz";
            for (EgressPolicy egress : List.of(EgressPolicy.allowing(List.of()), LOOPBACK_ALLOWED)) {
                assertThatThrownBy(() -> function(egress, url)).as(url)
                        .isInstanceOf(FunctionUnavailableException.class)
                        .hasMessageContaining("own host").hasMessageContaining("worker.http.egress.allow");
            }
            // At call time too: a name that resolves to the host's address when the call is made.
            String address = own.getHostAddress();
            EgressPolicy byName = EgressPolicy.allowing(List.of()).withResolver(host -> host.equals("fn.example")
                    ? new InetAddress[] {InetAddress.getByName(address)} : InetAddress.getAllByName(host));
            Function fn = function(byName, "http://fn.example:" + everywhere.getAddress().getPort() + "/readyz");
            assertThatThrownBy(() -> fn.apply(invocation("x"))).isInstanceOf(FunctionUnavailableException.class)
                    .hasMessageContaining("resolves to " + address).hasMessageContaining("own host");
            assertThat(reached.get()).as("nothing reached the host's listener").isNull();
        } finally {
            everywhere.stop(0);
        }
    }

    @Test
    void shouldRefuseTheCallWhenTheHostResolvesToARefusedAddressAtCallTime() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> answer = new AtomicReference<>("203.0.113.7");
        EgressPolicy egress = EgressPolicy.allowing(List.of()).withResolver(host -> host.equals("fn.example")
                ? new java.net.InetAddress[] {java.net.InetAddress.getByName("198.51.100.1"),
                        java.net.InetAddress.getByName(answer.get())}
                : java.net.InetAddress.getAllByName(host));
        Function fn = function(egress, "http://fn.example:" + server.getAddress().getPort() + "/upper");

        answer.set("169.254.169.254"); // the record now points at the metadata service (DNS rebinding)

        assertThatThrownBy(() -> fn.apply(invocation("x"))).isInstanceOf(FunctionUnavailableException.class)
                .hasMessageContaining("fn.example resolves to 169.254.169.254, a cloud metadata address");
    }

    @Test
    void shouldCallLoopbackWhenTheOperatorAllowsItByAddressOrName() throws Exception {
        int port = server.getAddress().getPort();
        assertThat(function(EgressPolicy.allowing(List.of("127.0.0.0/8")), "http://127.0.0.1:" + port + "/upper")
                .apply(invocation("a"))).asString(StandardCharsets.UTF_8).isEqualTo("A");
        assertThat(function(EgressPolicy.allowing(List.of("localhost")), "http://localhost:" + port + "/upper")
                .apply(invocation("b"))).asString(StandardCharsets.UTF_8).isEqualTo("B");
    }

    @Test
    void shouldFailWithoutFollowingWhenTheEndpointRedirects() {
        assertThatThrownBy(() -> function("/redirect").apply(invocation("x")))
                .isInstanceOf(FerryException.class).hasMessageContaining("HTTP 302");
        assertThat(seenInvocationId.get()).as("the redirect target was not called").isNull();
    }

    @Test
    void shouldRefuseAClientThatFollowsRedirects() {
        assertThatThrownBy(() -> new HttpRuntime(HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL).build(), LOOPBACK_ALLOWED, LIMIT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldStopReadingOneByteOverTheLimitWhenTheEndpointAnswersWithoutEnd() throws Exception {
        byte[] output = function("/endless").apply(invocation("x"));

        // One byte over the limit: the result's size check then fails it as output_too_large.
        assertThat(output).hasSize(LIMIT + 1);
        // The runtime went away: the server's write failed long before its give-up point. What it could still
        // write went into socket buffers, a few MiB at most.
        assertThat(endlessDone.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(served.get()).isLessThan(64L * 1024 * 1024);
    }

    @Test
    void shouldCallPlainHttpWithHttp11AndNoUpgradeOffer() throws Exception {
        function("/endless").apply(invocation("x"));

        // The JDK client offers h2c (Upgrade, HTTP2-Settings) on plain http unless told HTTP/1.1.
        assertThat(seenUpgrade.get()).isEqualTo("null");
    }
}

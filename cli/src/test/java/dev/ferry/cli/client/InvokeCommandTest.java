package dev.ferry.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.cli.Ferry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code ferry invoke} tells its user about the two 504s a gateway gives a synchronous call, over real HTTP
 * from a server that answers as the gateway does: "still pending, fetch it later" (with {@code Location}) is not a
 * failure of the function, and must not read like one, or the user invokes again and runs the function twice.
 */
class InvokeCommandTest {

    private static final String ID = "6f1c2a9e-3b7d-4c1e-9a55-0d2b8e4f7a10";

    private HttpServer gateway;
    private volatile int status;
    private volatile Map<String, String> headers;
    private volatile String body;
    private volatile int requests;

    @BeforeEach
    void start() throws IOException {
        gateway = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        gateway.createContext("/v1/functions/flaky/invoke", exchange -> {
            requests++;
            exchange.getRequestBody().readAllBytes();
            headers.forEach(exchange.getResponseHeaders()::add);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        gateway.start();
    }

    @AfterEach
    void stop() {
        gateway.stop(0);
    }

    private record Run(int exit, String out, String err) {
    }

    private Run invoke() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Ferry.execute(new PrintWriter(out, true), new PrintWriter(err, true), "invoke", "flaky",
                "--data", "req-A", "--url", "http://localhost:" + gateway.getAddress().getPort(),
                "--api-key", "ferry_test");
        return new Run(exit, out.toString(), err.toString());
    }

    /**
     * Session 10: {@code --key 'ké'} and a non-ASCII {@code --content-type} reached the gateway as other text (the
     * JDK's client sent them as other bytes), so the key changed without a word; curl got the gateway's 400. The
     * command refuses them before any call, exit 2, naming the option and the rule.
     */
    @Test
    void shouldRefuseAKeyOrContentTypeThatCannotTravelAsAnHttpHeaderAsGiven() {
        requests = 0;
        for (String[] option : new String[][] {{"--key", "k\u00e9"}, {"--content-type", "text/plain; x=\u00e9"},
                {"--key", "k\u2603"}, {"--key", "x".repeat(1025)}}) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = Ferry.execute(new PrintWriter(out, true), new PrintWriter(err, true), "invoke", "flaky",
                    "--data", "req-A", option[0], option[1], "--url",
                    "http://localhost:" + gateway.getAddress().getPort(), "--api-key", "ferry_test");
            assertThat(exit).as(option[0]).isEqualTo(2);
            assertThat(err.toString()).as(option[0]).contains(option[0]).containsAnyOf("printable ASCII", "at most");
        }
        assertThat(requests).as("nothing was sent").isZero();
    }

    @Test
    void shouldSayTheCallIsStillPendingAndNameItsIdWhenTheWaitEndedBeforeAFinalResult() {
        status = 504;
        headers = Map.of("Content-Type", "application/json", "Ferry-Invocation-Id", ID,
                "Location", "/v1/invocations/" + ID);
        body = "{\"error\":\"No final result for invocation " + ID + " within 8000 ms (attempt 2 TIMED_OUT, another "
                + "attempt follows); the invocation is still pending: fetch its result later with GET /v1/invocations/"
                + ID + "\",\"code\":\"timeout\"}";

        Run run = invoke();

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("still pending: invocation " + ID).contains("do not invoke it again")
                .contains("GET /v1/invocations/" + ID).doesNotStartWith("ferry: TIMED_OUT");
    }

    @Test
    void shouldReportTheFunctionTimedOutWhenItsLastAttemptDid() {
        status = 504;
        // A final TIMED_OUT has a Location too (session 9): Ferry-Status, not Location, says it is the outcome.
        headers = Map.of("Content-Type", "application/json", "Ferry-Invocation-Id", ID, "Ferry-Status", "TIMED_OUT",
                "Ferry-Billed-Ms", "3000", "Location", "/v1/invocations/" + ID);
        body = "{\"error\":\"The function timed out: Timed out after 3000 ms\",\"code\":\"function_timed_out\","
                + "\"invocationId\":\"" + ID + "\"}";

        Run run = invoke();

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).startsWith("ferry: TIMED_OUT: The function timed out").doesNotContain("pending");
    }
}

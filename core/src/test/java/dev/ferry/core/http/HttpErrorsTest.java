package dev.ferry.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every error of a listener wired with {@link HttpErrors} has docs/design.md's JSON shape, over a real socket: the
 * handler's, Javalin's and those Jetty raises before Javalin sees the request (issue 12).
 */
class HttpErrorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Javalin app;

    /** What came back: status, the Content-Type header and the body. */
    record Reply(int status, String contentType, String allow, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    @BeforeAll
    static void start() {
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.maxRequestSize = 1024;
            HttpErrors.configure(config);
        });
        HttpErrors.register(app);
        app.put("/v1/functions/{name}", ctx -> ctx.result(ctx.pathParam("name")));
        app.post("/v1/functions/{name}/invoke", ctx -> ctx.result(ctx.bodyAsBytes()));
        app.get("/v1/invocations/{id}", ctx -> ctx.result(ctx.pathParam("id")));
        app.get("/boom", ctx -> {
            throw new IllegalStateException("secret detail of the failure");
        });
        app.get("/teapot", ctx -> {
            throw new HttpError(429, "quota_exceeded", "Slow down", 3, List.of());
        });
        app.start("localhost", 0);
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Test
    void shouldAnswerJson431WhenAHeaderIs16KiB() throws IOException {
        Reply reply = send("GET /v1/invocations/x HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(16 * 1024)
                + "\r\nConnection: close\r\n\r\n");
        assertShape(reply, 431, "headers_too_large");
    }

    @Test
    void shouldAnswerJson414WhenTheIdHas10000Characters() throws IOException {
        Reply reply = send("GET /v1/invocations/" + "i".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\n\r\n");
        assertShape(reply, 414, "uri_too_long");
    }

    @Test
    void shouldAnswerJson400WhenThePathHasAnEncodedNul() throws IOException {
        Reply reply = send("PUT /v1/functions/a%00b HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n");
        assertShape(reply, 400, "bad_request");
    }

    @Test
    void shouldAnswerJson400WhenTheRequestLineIsGarbage() throws IOException {
        assertShape(send("GET /v1 \u0001HTTP/1.1\r\n\r\n"), 400, "bad_request");
    }

    @Test
    void shouldAnswerJson404WhenThePathIsUnknown() throws IOException {
        assertShape(send(get("/nowhere")), 404, "not_found");
    }

    @Test
    void shouldAnswerJson405NamingTheMethodsWhenTheMethodIsWrong() throws IOException {
        Reply reply = send("DELETE /v1/invocations/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertShape(reply, 405, "method_not_allowed");
        assertThat(reply.allow()).contains("GET");
    }

    @Test
    void shouldAnswerJson500WithoutTheExceptionTextWhenAHandlerThrows() throws IOException {
        Reply reply = send(get("/boom"));
        assertShape(reply, 500, "internal");
        assertThat(reply.body()).doesNotContain("secret").doesNotContain("IllegalStateException");
    }

    @Test
    void shouldAnswerJson413WhenTheBodyExceedsTheServerLimit() throws IOException {
        String body = "x".repeat(4096);
        Reply reply = send("POST /v1/functions/f/invoke HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                + body.length() + "\r\nConnection: close\r\n\r\n" + body);
        assertShape(reply, 413, "payload_too_large");
    }

    @Test
    void shouldWriteTheHandlersOwnErrorAsItSays() throws IOException {
        Reply reply = send(get("/teapot"));
        assertShape(reply, 429, "quota_exceeded");
        assertThat(reply.json().get("error").asText()).isEqualTo("Slow down");
    }

    private static void assertShape(Reply reply, int status, String code) throws IOException {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.contentType()).as(reply.toString()).startsWith(HttpErrors.JSON);
        JsonNode body = reply.json();
        assertThat(body.path("code").asText()).isEqualTo(code);
        assertThat(body.path("error").asText()).isNotBlank();
        // One rule for every error answer: errors lists the problems, [error] when there is one.
        assertThat(body.path("errors").isArray()).as(reply.body()).isTrue();
        assertThat(body.get("errors")).extracting(JsonNode::asText).containsExactly(body.get("error").asText());
    }

    @Test
    void shouldListTheSingleProblemUnderErrorsWhenThereAreNoDetails() throws IOException {
        JsonNode body = JSON.readTree(HttpErrors.body("Payload of 9 bytes exceeds the limit", "payload_too_large"));
        assertThat(body.get("errors")).extracting(JsonNode::asText)
                .containsExactly("Payload of 9 bytes exceeds the limit");
    }

    @Test
    void shouldListEveryDetailUnderErrorsWhenThereAreSome() throws IOException {
        JsonNode body = JSON.readTree(HttpErrors.body("a; b", "invalid_function", List.of("a", "b"),
                java.util.Map.of("invocationId", "i")));
        assertThat(body.get("errors")).extracting(JsonNode::asText).containsExactly("a", "b");
        assertThat(body.get("error").asText()).isEqualTo("a; b");
        assertThat(body.get("invocationId").asText()).isEqualTo("i");
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    }

    /** One request on a raw socket, as a hand-made client sends it; reads until the server closes. */
    private static Reply send(String request) throws IOException {
        try (Socket socket = new Socket("localhost", app.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = raw.indexOf("\r\n\r\n");
            String head = raw.substring(0, split);
            String body = raw.substring(split + 4);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            String contentType = null;
            String allow = null;
            boolean chunked = false;
            for (String line : lines) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    contentType = line.substring(13).trim();
                } else if (lower.startsWith("allow:")) {
                    allow = line.substring(6).trim();
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            return new Reply(status, contentType, allow, chunked ? unchunk(body) : body);
        }
    }

    private static String unchunk(String body) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < body.length()) {
            int end = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, end).trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(body, end + 2, end + 2 + size);
            at = end + 2 + size + 2;
        }
        return out.toString();
    }
}

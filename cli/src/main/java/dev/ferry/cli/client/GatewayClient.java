package dev.ferry.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.CliException;
import dev.ferry.core.net.Urls;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** A small client of the gateway's HTTP API, for the commands. Errors become {@link CliException}s. */
public final class GatewayClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String apiKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public GatewayClient(URI base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    public HttpResponse<byte[]> send(String method, String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofMinutes(16)) // above the longest function timeout (15 min)
                .header("Authorization", "Bearer " + apiKey)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new CliException("cannot reach the gateway at " + Urls.redact(base) + " (is `ferry dev` running?)");
        } catch (IOException e) {
            throw new CliException("request to " + Urls.redact(base) + path + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    /** A JSON call that must succeed (2xx); returns the parsed body. */
    public JsonNode json(String method, String path, Object body) {
        byte[] bytes = null;
        try {
            if (body != null) {
                bytes = JSON.writeValueAsBytes(body);
            }
        } catch (IOException e) {
            throw new CliException("cannot encode the request: " + e.getMessage());
        }
        HttpResponse<byte[]> response = send(method, path, bytes, Map.of("Content-Type", "application/json"));
        requireSuccess(response);
        return parse(response.body());
    }

    static void requireSuccess(HttpResponse<byte[]> response) {
        if (response.statusCode() / 100 != 2) {
            throw new CliException(errorOf(response));
        }
    }

    /** The gateway's {@code {"error", "code"}} body as one line, or the status when the body is not that. */
    static String errorOf(HttpResponse<byte[]> response) {
        String text = new String(response.body(), StandardCharsets.UTF_8);
        try {
            JsonNode node = JSON.readTree(text);
            if (node != null && node.hasNonNull("error")) {
                return node.get("error").asText() + " (HTTP " + response.statusCode()
                        + (node.hasNonNull("code") ? ", " + node.get("code").asText() : "") + ")";
            }
        } catch (IOException e) {
            // not JSON: fall through to the raw text
        }
        return "HTTP " + response.statusCode() + (text.isBlank() ? "" : ": " + text.strip());
    }

    static JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new CliException("the gateway answered something that is not JSON: " + e.getMessage());
        }
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

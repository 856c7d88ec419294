package dev.ferry.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** Real HTTP calls to a gateway, as a user's program makes them. */
final class HttpApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;

    HttpApi(int port) {
        this.base = "http://localhost:" + port;
    }

    HttpResponse<byte[]> call(String method, String path, String key, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<byte[]> get(String path, String key) {
        return call("GET", path, key, null, Map.of());
    }

    HttpResponse<byte[]> delete(String path, String key) {
        return call("DELETE", path, key, null, Map.of());
    }

    HttpResponse<byte[]> put(String path, String key, String json) {
        return call("PUT", path, key, bytes(json), Map.of("Content-Type", "application/json"));
    }

    HttpResponse<byte[]> post(String path, String key, String body, String contentType) {
        return call("POST", path, key, bytes(body), Map.of("Content-Type", contentType));
    }

    /** A POST with {@code headers} of the caller's own besides the content type. */
    HttpResponse<byte[]> post(String path, String key, String body, String contentType, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put("Content-Type", contentType);
        return call("POST", path, key, bytes(body), all);
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("Not JSON: " + text(response), e);
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

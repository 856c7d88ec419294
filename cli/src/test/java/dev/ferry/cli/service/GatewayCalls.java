package dev.ferry.cli.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One tenant's HTTP calls to a platform's gateway, for the ITs that run the platform: its API key as a bearer
 * token, a JSON body when there is one, the answer as text. Each call waits at most {@code timeout}.
 */
final class GatewayCalls {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final String key;
    private final Duration timeout;

    /** @param base the gateway's address, e.g. {@code http://localhost:8080} */
    GatewayCalls(String base, String key, Duration timeout) {
        this.base = base;
        this.key = key;
        this.timeout = timeout;
    }

    HttpRequest request(String method, String path, String body) {
        return request(method, path, body, Map.of());
    }

    HttpRequest request(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return request.build();
    }

    /** The call's answer; an I/O failure is thrown unchecked. */
    HttpResponse<String> call(String method, String path, String body) {
        return call(method, path, body, Map.of());
    }

    /** The call's answer with extra request headers ({@code Ferry-Key}, ...); an I/O failure is thrown unchecked. */
    HttpResponse<String> call(String method, String path, String body, Map<String, String> headers) {
        try {
            return HTTP.send(request(method, path, body, headers), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    CompletableFuture<HttpResponse<String>> callAsync(String method, String path, String body) {
        return HTTP.sendAsync(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    }
}

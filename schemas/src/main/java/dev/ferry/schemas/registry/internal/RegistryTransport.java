package dev.ferry.schemas.registry.internal;

import dev.ferry.schemas.registry.IncompatibleSchemaException;
import dev.ferry.schemas.registry.SchemaRegistryClientConfig;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one registry call: tries the URL that worked last, fails over to the next on a connect
 * error, timeout or 5xx, and turns error answers into {@link SchemaRegistryException}s.
 */
public final class RegistryTransport {

    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final Logger log = LoggerFactory.getLogger(RegistryTransport.class);

    private final List<URI> baseUrls;
    private final String authorization;
    private final SchemaRegistryClientConfig config;
    private final HttpClient http;
    private final AtomicInteger current = new AtomicInteger();
    /** The URLs whose last call failed: their next failures are logged at DEBUG only. */
    private final Set<URI> failing = ConcurrentHashMap.newKeySet();

    public RegistryTransport(SchemaRegistryClientConfig config) {
        this.config = config;
        this.baseUrls = config.urls();
        this.authorization = config.basicAuthUserInfo() == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString(config.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
        // HTTP/1.1: the h2c upgrade dance of the JDK client confuses some registries and proxies.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .build();
    }

    /** The base URL calls go to first: the one that answered last. */
    public URI currentUrl() {
        return baseUrls.get(current.get());
    }

    public String get(String path) {
        return send("GET", path, null);
    }

    public String post(String path, Object body) {
        return send("POST", path, RegistryJson.write(body));
    }

    public String put(String path, Object body) {
        return send("PUT", path, RegistryJson.write(body));
    }

    public String delete(String path) {
        return send("DELETE", path, null);
    }

    private String send(String method, String path, String body) {
        int start = current.get();
        SchemaRegistryException lastError = null;
        for (int attempt = 0; attempt < baseUrls.size(); attempt++) {
            int index = (start + attempt) % baseUrls.size();
            URI base = baseUrls.get(index);
            HttpResponse<String> response;
            try {
                response = http.send(request(base, method, path, body),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                lastError = new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE,
                        SchemaRegistryException.NO_RESPONSE, "Schema registry at " + base + " unreachable for "
                        + method + " " + path + ": " + e, e);
                failed(base, "unreachable (" + e + ")", nextHint(attempt));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE,
                        SchemaRegistryException.NO_RESPONSE, "Interrupted during " + method + " " + path, e);
            }
            int status = response.statusCode();
            if (status >= 500) {
                lastError = error(base, method, path, response);
                failed(base, "answered " + status, nextHint(attempt));
                continue;
            }
            if (failing.remove(base)) {
                log.warn("Schema registry at {} answers again", base);
            }
            if (index != start && current.compareAndSet(start, index)) {
                log.info("Schema registry calls now go to {}", base);
            }
            if (status >= 200 && status < 300) {
                return response.body();
            }
            throw error(base, method, path, response);
        }
        throw lastError;
    }

    /**
     * Logs a failed call: at WARN the first since {@code base} last answered, at DEBUG the rest, so an outage is one
     * line and its end another, not one line per call (a tester, session 13: a worker waiting out a lost registry
     * logged the same WARN every second for the whole outage).
     */
    private void failed(URI base, String what, String hint) {
        if (failing.add(base)) {
            log.warn("Schema registry at {} {}; {} (said once until it answers again)", base, what, hint);
        } else {
            log.debug("Schema registry at {} {}; {}", base, what, hint);
        }
    }

    private String nextHint(int attempt) {
        return attempt + 1 < baseUrls.size() ? "trying the next URL" : "no URL left of " + baseUrls;
    }

    private HttpRequest request(URI base, String method, String path, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(config.requestTimeout())
                .header("Accept", ACCEPT);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    private static SchemaRegistryException error(URI base, String method, String path, HttpResponse<String> response) {
        int status = response.statusCode();
        RegistryJson.ErrorResponse parsed = RegistryJson.readErrorOrNull(response.body());
        int code = parsed != null && parsed.errorCode() != null ? parsed.errorCode() : status;
        String detail = parsed != null && parsed.message() != null ? parsed.message() : RegistryJson.snippet(response.body());
        String message = "Schema registry at " + base + " answered " + status + " (error_code " + code + ") to "
                + method + " " + path + ": " + detail;
        if (status == 409 || code == 409 || code == 40901) {
            return new IncompatibleSchemaException(status, code, message);
        }
        return new SchemaRegistryException(status, code, message);
    }
}

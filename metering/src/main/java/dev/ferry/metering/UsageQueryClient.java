package dev.ferry.metering;

import dev.ferry.core.FerryException;
import dev.ferry.core.RetriableFerryException;
import dev.ferry.core.invocation.UsageGranularity;
import dev.ferry.core.net.BearerTokens;
import dev.ferry.core.net.Urls;
import dev.ferry.metering.internal.UsageJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A client of a metering instance's usage API; any instance answers for every tenant. The caller decides the tenant:
 * the gateway passes the authenticated caller's tenant, never a value from the request. Thread-safe.
 *
 * <p>With a token (the instances' {@code metering.http.token}), every call carries
 * {@code Authorization: Bearer <token>}. The token never appears in messages.
 *
 * <p>Throws {@link RetriableFerryException} while metering cannot answer yet (starting, rebalancing) and
 * {@link FerryException} for other failures.
 */
public final class UsageQueryClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(2);

    private final URI baseUrl;
    private final String token;
    /** The base URL as messages show it: without any credentials it holds. */
    private final String where;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A client of an instance that needs no token (one bound to loopback without {@code metering.http.token}). */
    public UsageQueryClient(URI baseUrl) {
        this(baseUrl, "");
    }

    /** @param token the instances' {@code metering.http.token}; empty sends none */
    public UsageQueryClient(URI baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token == null ? "" : token;
        this.where = Urls.redact(baseUrl);
    }

    /** The tenant's closed windows starting in {@code [from, to)}, all functions. */
    public List<Usage> usage(String tenant, Instant from, Instant to) {
        return usage(tenant, from, to, null, UsageGranularity.WINDOW);
    }

    /** Closed windows or roll-ups starting in {@code [from, to)}; {@code function} null means all functions. */
    public List<Usage> usage(String tenant, Instant from, Instant to, String function, UsageGranularity granularity) {
        StringBuilder query = new StringBuilder("tenant=").append(encode(tenant))
                .append("&from=").append(from.toEpochMilli())
                .append("&to=").append(to.toEpochMilli())
                .append("&granularity=").append(granularity.text());
        if (function != null) {
            query.append("&function=").append(encode(function));
        }
        return get("/v1/usage?" + query);
    }

    /** The running totals of each of the tenant's functions since metering began. */
    public List<Usage> totals(String tenant) {
        return get("/v1/usage/totals?tenant=" + encode(tenant));
    }

    /**
     * Why this metering instance cannot answer usage queries now (unreachable, or its Streams not {@code RUNNING}:
     * its {@code /readyz}), or empty when it can. Waits at most two seconds.
     */
    public Optional<String> unavailable() {
        HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve("/readyz")).timeout(READY_TIMEOUT).GET()
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.empty()
                    : Optional.of("metering at " + baseUrl + " is not ready (" + response.statusCode() + ")");
        } catch (IOException e) {
            return Optional.of("metering at " + baseUrl + " is unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while asking metering at " + baseUrl);
        }
    }

    private List<Usage> get(String pathAndQuery) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(baseUrl.resolve(pathAndQuery)).timeout(TIMEOUT).GET();
        if (!token.isEmpty()) {
            builder.header("Authorization", BearerTokens.header(token));
        }
        HttpRequest request = builder.build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RetriableFerryException("Metering at " + where + " is unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted while asking metering at " + where, e);
        }
        if (response.statusCode() == 503) {
            throw new RetriableFerryException("Metering at " + where + " is not ready: " + response.body());
        }
        if (response.statusCode() != 200) {
            throw new FerryException("Metering at " + where + " answered " + response.statusCode() + " to "
                    + pathAndQuery + ": " + response.body());
        }
        return UsageJson.read(response.body());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

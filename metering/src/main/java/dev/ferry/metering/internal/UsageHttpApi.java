package dev.ferry.metering.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.health.Readiness;
import dev.ferry.core.net.BearerTokens;
import dev.ferry.core.http.HttpError;
import dev.ferry.core.http.HttpErrors;
import dev.ferry.core.http.Timestamps;
import dev.ferry.core.invocation.UsageGranularity;
import dev.ferry.metering.Usage;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The usage API of one metering instance: {@code GET /v1/usage} and {@code GET /v1/usage/totals}.
 *
 * <p>Each instance holds the stores of the partitions it runs. A query for one function goes to the instance that
 * owns the function's key; a query for a whole tenant goes to every instance, since the tenant's functions are
 * spread over partitions. Forwarded calls carry {@code scope=local}, so they are answered from local stores and never
 * forwarded again.
 *
 * <p>With a token ({@code metering.http.token}), every {@code /v1} call needs {@code Authorization: Bearer <token>}
 * (401 otherwise), and forwarded calls carry it; {@code /healthz} and {@code /readyz} stay open for probes and
 * carry no tenant data (issue 12).
 */
public final class UsageHttpApi {

    private static final String LOCAL = "local";
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(10);

    private final Supplier<KafkaStreams> streams;
    private final Supplier<HostInfo> self;
    private final String token;
    private final Readiness readiness;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param token     the shared token every {@code /v1} call must carry; empty: none
     * @param readiness what {@code /readyz} answers, in the shape of every Ferry {@code /readyz}
     */
    public UsageHttpApi(Supplier<KafkaStreams> streams, Supplier<HostInfo> self, String token, Readiness readiness) {
        this.streams = streams;
        this.self = self;
        this.token = token;
        this.readiness = readiness;
    }

    public void register(Javalin app) {
        app.before("/v1/*", ctx -> {
            if (!BearerTokens.accepts(token, ctx.header("Authorization"))) {
                throw new Unauthorized();
            }
        });
        app.exception(Unauthorized.class, (e, ctx) -> {
            ctx.header("WWW-Authenticate", "Bearer");
            fail(ctx, HttpStatus.UNAUTHORIZED, "The usage API needs its token (metering.http.token)", "unauthorized");
        });
        app.get("/v1/usage", this::usage);
        app.get("/v1/usage/totals", this::totals);
        // JSON like every other Ferry endpoint: the gateway's /readyz shape, the error shape when not ready.
        app.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
        app.get("/readyz", ctx -> {
            Readiness.Report report = readiness.report();
            ctx.status(report.status()).json(report.body());
        });
        app.exception(BadRequest.class, (e, ctx) -> fail(ctx, HttpStatus.BAD_REQUEST, e.getMessage(), "bad_request"));
        app.exception(InvalidStateStoreException.class, (e, ctx) ->
                fail(ctx, HttpStatus.SERVICE_UNAVAILABLE, "usage stores are not ready: " + e.getMessage(),
                        "not_ready"));
        app.exception(NotReady.class, (e, ctx) ->
                fail(ctx, HttpStatus.SERVICE_UNAVAILABLE, e.getMessage(), "not_ready"));
    }

    private void usage(Context ctx) {
        String tenant = name(ctx, "tenant", true);
        String function = name(ctx, "function", false);
        Instant from = instant(ctx, "from", Instant.EPOCH);
        Instant to = instant(ctx, "to", Instant.ofEpochMilli(Long.MAX_VALUE));
        UsageGranularity granularity = granularity(ctx);
        String store = UsageQueries.storeOf(granularity);
        answer(ctx, store, tenant, function, queries -> queries.usage(tenant, function, from, to, granularity));
    }

    private void totals(Context ctx) {
        String tenant = name(ctx, "tenant", true);
        String function = name(ctx, "function", false);
        answer(ctx, StoreNames.TOTALS, tenant, function, queries -> queries.totals(tenant, function));
    }

    private interface LocalQuery {
        List<Usage> run(UsageQueries queries);
    }

    private void answer(Context ctx, String store, String tenant, String function, LocalQuery query) {
        KafkaStreams current = streams.get();
        if (current == null) {
            throw new NotReady("metering is starting");
        }
        UsageQueries local = new UsageQueries(current);
        List<Usage> rows;
        if (LOCAL.equals(ctx.queryParam("scope"))) {
            rows = query.run(local);
        } else if (function != null) {
            KeyQueryMetadata owner = current.queryMetadataForKey(store, Keys.function(tenant, function),
                    Serdes.String().serializer());
            if (owner == null || owner == KeyQueryMetadata.NOT_AVAILABLE) {
                throw new NotReady("the owner of " + tenant + "/" + function + " is not known yet (rebalancing)");
            }
            rows = owner.activeHost().equals(self.get()) ? query.run(local) : forward(owner.activeHost(), ctx);
        } else {
            Collection<StreamsMetadata> instances = current.streamsMetadataForStore(store);
            if (instances.isEmpty()) {
                throw new NotReady("no metering instance serves the usage stores yet");
            }
            rows = new ArrayList<>();
            for (StreamsMetadata instance : instances) {
                rows.addAll(instance.hostInfo().equals(self.get()) ? query.run(local)
                        : forward(instance.hostInfo(), ctx));
            }
            rows.sort(UsageQueries.ORDER);
        }
        ctx.contentType("application/json").result(UsageJson.write(rows));
    }

    private List<Usage> forward(HostInfo host, Context ctx) {
        String query = ctx.queryString() == null ? "" : ctx.queryString() + "&";
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + ctx.path() + "?" + query + "scope=" + LOCAL);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(FORWARD_TIMEOUT).GET();
        if (!token.isEmpty()) {
            builder.header("Authorization", BearerTokens.header(token));
        }
        HttpRequest request = builder.build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new NotReady("metering instance " + host + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return UsageJson.read(response.body());
        } catch (IOException e) {
            throw new NotReady("metering instance " + host + " is unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotReady("interrupted while asking " + host);
        }
    }

    private static void fail(Context ctx, HttpStatus status, String message, String code) {
        HttpErrors.write(ctx, new HttpError(status.getCode(), code, message));
    }

    private static String name(Context ctx, String param, boolean required) {
        String value = ctx.queryParam(param);
        if (value == null || value.isEmpty()) {
            if (required) {
                throw new BadRequest("query parameter '" + param + "' is required");
            }
            return null;
        }
        if (!FunctionRef.isValidName(value)) {
            throw new BadRequest("'" + param + "' must match [a-z0-9][a-z0-9-]{0,62}");
        }
        return value;
    }

    /** ISO-8601 instant or epoch milliseconds, as docs/design.md's usage call takes them. */
    static Instant instant(Context ctx, String param, Instant absent) {
        String value = ctx.queryParam(param);
        if (value == null || value.isEmpty()) {
            return absent;
        }
        return parseInstant(param, value);
    }

    static Instant parseInstant(String param, String value) {
        return Timestamps.parse("'" + param + "'", value);
    }

    private static UsageGranularity granularity(Context ctx) {
        try {
            return UsageGranularity.parse(ctx.queryParam("granularity"));
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    static final class Unauthorized extends RuntimeException {
        Unauthorized() {
            super("unauthorized");
        }
    }

    static final class NotReady extends RuntimeException {
        NotReady(String message) {
            super(message);
        }
    }
}

package dev.ferry.ingest.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.RetriableFerryException;
import dev.ferry.core.health.Readiness;
import dev.ferry.core.http.Timestamps;
import dev.ferry.core.invocation.UsageGranularity;
import dev.ferry.core.invocation.UsageRows;
import dev.ferry.ingest.FunctionScaling;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.UsageRecord;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage, scaling, live stats, health, readiness and the dashboard. {@code /metrics} is not served here: its labels
 * name every tenant and function, so it lives on the process's management listener (issue 12); the lag and replica
 * gauges refresh through {@link #refreshScalingGauges()} before each scrape there.
 */
public final class PlatformRoutes {

    private static final Logger log = LoggerFactory.getLogger(PlatformRoutes.class);
    private static final Duration DEFAULT_USAGE_SPAN = Duration.ofDays(1);
    private static final Map<String, String> DASHBOARD_FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8");

    private final GatewayContext g;

    private final MultiGauge lagGauge;
    private final MultiGauge replicaGauge;
    private final MultiGauge capacityGauge;
    private final MultiGauge utilizationGauge;

    public PlatformRoutes(GatewayContext g) {
        this.g = g;
        this.lagGauge = MultiGauge.builder("ferry.function.lag")
                .description("Records waiting in a function's work topic").register(g.metrics());
        this.replicaGauge = MultiGauge.builder("ferry.function.replicas")
                .description("Replicas of a function's worker pool").register(g.metrics());
        // Prometheus names: ferry_function_capacity_per_second and ferry_function_utilization (issue 17).
        this.capacityGauge = MultiGauge.builder("ferry.function.capacity.per.second")
                .description("Throughput model capacity, replicas x concurrency / (W x mean run time), requests/s")
                .register(g.metrics());
        this.utilizationGauge = MultiGauge.builder("ferry.function.utilization")
                .description("Arrival rate over the throughput model's capacity, a fraction").register(g.metrics());
    }

    public void register(Javalin app) {
        app.get("/v1/usage", this::usage);
        app.get("/v1/scaling", this::scaling);
        app.get("/v1/stats", this::stats);
        app.get("/healthz", ctx -> Http.json(g, ctx, 200, g.mapper().createObjectNode().put("status", "ok")));
        app.get("/readyz", this::ready);
        app.get("/", ctx -> dashboardFile(ctx, "index.html"));
        app.get("/dashboard/{file}", ctx -> dashboardFile(ctx, ctx.pathParam("file")));
        // RFC 9110 (9.3.2): HEAD answers what GET would, without the body (Jetty drops it), so a HEAD of the
        // dashboard or a probe sees its real status and content type (tester's report: HEAD / was text/plain).
        app.head("/healthz", ctx -> Http.json(g, ctx, 200, g.mapper().createObjectNode().put("status", "ok")));
        app.head("/readyz", this::ready);
        app.head("/", ctx -> dashboardFile(ctx, "index.html"));
        app.head("/dashboard/{file}", ctx -> dashboardFile(ctx, ctx.pathParam("file")));
    }

    /** The dashboard's static files, from the classpath; a fixed list, so no path can reach anything else. */
    private static void dashboardFile(Context ctx, String file) throws java.io.IOException {
        String type = DASHBOARD_FILES.get(file);
        if (type == null) {
            throw ApiException.notFound("No such dashboard file");
        }
        try (java.io.InputStream in = PlatformRoutes.class.getResourceAsStream("/dashboard/" + file)) {
            if (in == null) {
                throw ApiException.notFound("No such dashboard file");
            }
            ctx.contentType(type).header("Cache-Control", "no-cache").result(in.readAllBytes());
        }
    }

    /** Rate and latency per function of the caller's tenant, for the dashboard's live charts. */
    private void stats(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        ObjectNode body = g.mapper().createObjectNode();
        ArrayNode array = body.putArray("functions");
        g.directory().all().stream()
                .filter(spec -> spec.getTenant().equals(caller.tenant()))
                .map(spec -> g.stats().snapshot(new FunctionRef(spec.getTenant(), spec.getName())))
                .forEach(snapshot -> array.add(g.mapper().valueToTree(snapshot)));
        Http.json(g, ctx, 200, body);
    }

    /**
     * Lag and replicas per function as gauges, read from the scaling source when Prometheus scrapes, and the
     * throughput model's capacity and utilization (each only where measured, see {@link ThroughputFigures}).
     */
    public void refreshScalingGauges() {
        if (g.scaling() == null) {
            return;
        }
        List<MultiGauge.Row<?>> lag = new java.util.ArrayList<>();
        List<MultiGauge.Row<?>> replicas = new java.util.ArrayList<>();
        List<MultiGauge.Row<?>> capacity = new java.util.ArrayList<>();
        List<MultiGauge.Row<?>> utilization = new java.util.ArrayList<>();
        try {
            for (FunctionSpec spec : g.directory().all()) {
                FunctionRef ref = new FunctionRef(spec.getTenant(), spec.getName());
                Tags tags = Tags.of("tenant", ref.tenant(), "function", ref.function());
                Optional<FunctionScaling> scaling = g.scaling().function(ref);
                ThroughputFigures model = ThroughputFigures.of(spec, g.stats().runTimes(ref),
                        g.stats().arrivalPerSecond(ref), scaling);
                if (model.capacityPerSecond() != null) {
                    capacity.add(MultiGauge.Row.of(tags, model.capacityPerSecond()));
                }
                if (model.utilization() != null) {
                    utilization.add(MultiGauge.Row.of(tags, model.utilization()));
                }
                scaling.ifPresent(s -> {
                    if (s.lag() != null) {
                        lag.add(MultiGauge.Row.of(tags, s.lag()));
                    }
                    if (s.replicas() != null) {
                        replicas.add(MultiGauge.Row.of(tags, s.replicas()));
                    }
                });
            }
        } catch (RuntimeException e) {
            log.debug("Scaling source unavailable for gauges: {}", e.toString());
        }
        lagGauge.register(lag, true);
        replicaGauge.register(replicas, true);
        capacityGauge.register(capacity, true);
        utilizationGauge.register(utilization, true);
    }

    private void usage(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        Instant to = Optional.ofNullable(ctx.queryParam("to")).map(t -> Timestamps.parse("to", t))
                .orElseGet(Instant::now);
        Instant from = Optional.ofNullable(ctx.queryParam("from")).map(f -> Timestamps.parse("from", f))
                .orElse(to.minus(DEFAULT_USAGE_SPAN));
        if (from.isAfter(to)) {
            throw ApiException.badRequest("from (" + from + ") is after to (" + to + ")");
        }
        Optional<String> function = Optional.ofNullable(ctx.queryParam("function"));
        if (function.isPresent() && !FunctionRef.isValidName(function.get())) {
            throw ApiException.badRequest("function must be a function name, got '"
                    + Http.abbreviate(function.get()) + "'");
        }
        UsageGranularity granularity;
        try {
            granularity = UsageGranularity.parse(ctx.queryParam("granularity"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(Http.abbreviate(e.getMessage()));
        }
        if (g.usage() == null) {
            throw ApiException.notReady("Usage is not available: metering is not connected to this gateway");
        }
        List<UsageRecord> records;
        try {
            records = g.usage().usage(caller.tenant(), from, to, function, granularity);
        } catch (RetriableFerryException e) {
            // Metering starting or rebalancing (its Streams not RUNNING yet): the caller's 503 says so and it
            // passes on its own; a WARN for it printed into `ferry demo`'s live line (tester's report).
            log.debug("Usage source not ready for tenant {}: {}", caller.tenant(), e.toString());
            throw ApiException.notReady("Usage is not available right now: metering is not ready; retry shortly");
        } catch (RuntimeException e) {
            log.warn("Usage source failed for tenant {}: {}", caller.tenant(), e.toString());
            throw ApiException.notReady("Usage is not available right now");
        }
        ObjectNode body = g.mapper().createObjectNode();
        body.put("tenant", caller.tenant()).put("from", from.toString()).put("to", to.toString())
                .put("granularity", granularity.text());
        ArrayNode array = body.putArray("records");
        // Filtered again here: a source that ignored the tenant must still not leak another tenant's usage.
        // Rows in the one usage layout, the same as metering's own API (UsageRows).
        records.stream().filter(r -> r.getTenant().equals(caller.tenant()))
                .filter(r -> function.isEmpty() || function.get().equals(r.getFunction()))
                .forEach(r -> array.add(g.mapper().valueToTree(UsageRows.row(r.getTenant(), r.getFunction(),
                        r.getWindowStart(), r.getWindowEnd(), r.getInvocations(), r.getFailures(),
                        r.getBilledMillis(), r.getMbMillis(), r.getCost(), r.getAvailability()))));
        Http.json(g, ctx, 200, body);
    }

    private void scaling(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        if (g.scaling() == null) {
            throw ApiException.notReady("Scaling is not available: the autoscaler is not connected to this gateway");
        }
        List<FunctionScaling> functions;
        try {
            functions = g.scaling().tenant(caller.tenant());
        } catch (RuntimeException e) {
            log.warn("Scaling source failed for tenant {}: {}", caller.tenant(), e.toString());
            throw ApiException.notReady("Scaling is not available right now");
        }
        ObjectNode body = g.mapper().createObjectNode();
        ArrayNode array = body.putArray("functions");
        functions.stream()
                .filter(f -> FunctionRef.isValidName(f.function())
                        && g.directory().get(new FunctionRef(caller.tenant(), f.function())).isPresent())
                .forEach(f -> array.add(g.mapper().valueToTree(f)));
        Http.json(g, ctx, 200, body);
    }

    /**
     * 200 only when what this process serves works (DESIGN, "HTTP API"; issue 11, part 4); otherwise 503 with the
     * error shape, the error naming each check that is not ready and why. An advisory check that fails (metering
     * elsewhere, for {@code /v1/usage}) leaves the answer 200 and is listed under {@code degraded}. The process's
     * one {@link Readiness}: its management listener's {@code /readyz} answers the same.
     */
    private void ready(Context ctx) {
        Readiness.Report report = g.readiness().report();
        Http.json(g, ctx, report.status(), g.mapper().valueToTree(report.body()));
    }
}

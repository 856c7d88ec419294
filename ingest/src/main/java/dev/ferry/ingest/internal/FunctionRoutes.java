package dev.ferry.ingest.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.core.config.WorkerConfig;
import dev.ferry.core.net.Urls;
import dev.ferry.ingest.FunctionScaling;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The function registry: deploy, list, describe, remove. Writes go to ferry.functions, reads to the directory. */
public final class FunctionRoutes {

    private static final Logger log = LoggerFactory.getLogger(FunctionRoutes.class);
    private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(15);

    private final GatewayContext g;
    private final NameLocks writes = new NameLocks();

    public FunctionRoutes(GatewayContext g) {
        this.g = g;
    }

    public void register(Javalin app) {
        app.put("/v1/functions/{name}", this::deploy);
        app.get("/v1/functions", this::list);
        app.get("/v1/functions/{name}", this::describe);
        app.delete("/v1/functions/{name}", this::remove);
    }

    private void deploy(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        String name = ctx.pathParam("name");
        if (!FunctionRef.isValidName(name)) {
            throw ApiException.badRequest("Invalid function name '" + Http.abbreviate(name) + "': use 1 to 63 "
                    + "characters of a-z, 0-9 and '-', starting with a letter or digit");
        }
        SpecJson.Parsed parsed = SpecJson.parse(g.mapper(), Http.spec(ctx), caller.tenant(), name,
                g.config().worker().processRuntimeEnabled(), g.config().dispatcher().partitionStrategyClasses());
        // The handler's egress is one more problem of the spec: listed with the others, not after they are fixed.
        List<String> errors = new ArrayList<>(parsed.errors());
        egressRefusal(parsed.runtime(), parsed.handler()).ifPresent(errors::add);
        if (!errors.isEmpty()) {
            Http.error(g.mapper(), ctx, new ApiException(400, "invalid_function", String.join("; ", errors)),
                    errors);
            return;
        }
        FunctionSpec spec = parsed.spec();
        FunctionRef ref = new FunctionRef(caller.tenant(), name);
        // A minimum above 0 pins replicas, a create or a raise of partitions takes from the partition budget: such
        // writes are checked and written while no other of this gateway is. The name's lock keeps `before` current.
        boolean existed = writes.holding(ref, () -> {
            Optional<FunctionSpec> before = g.directory().get(ref);
            boolean morePartitions = before.map(s -> spec.getPartitions() > s.getPartitions()).orElse(true);
            return g.pinning().holdingIf(spec.getMinReplicas() > 0 || morePartitions, () -> {
                Optional<FunctionSpec> current = g.directory().get(ref);
                current.ifPresent(existing -> checkCompatible(existing, spec));
                checkReservation(ref, spec);
                checkPartitionBudget(ref, spec, current);
                // A created function never runs what an earlier function of the name left queued; an update keeps
                // the mark.
                spec.setWorkStartOffsets(current.isPresent() ? current.get().getWorkStartOffsets()
                        : g.publisher().leftoverEnds(ref));
                CompletableFuture<Void> visible = g.watch().awaitDeployed(spec);
                publish(ref, visible, () -> g.publisher().deploy(spec));
                return current.isPresent();
            });
        });
        log.info("Deployed {} ({} runtime, handler {})", ref, spec.getRuntime(), Urls.redact(spec.getHandler()));
        Http.json(g, ctx, existed ? 200 : 201, SpecJson.toJson(g.mapper(), spec));
    }

    /**
     * An HTTP handler whose URL names an address the workers refuse (their own host, link-local, cloud metadata;
     * issue 12) could never run: say so now, where a literal address or localhost decides it. A name that resolves
     * to one is refused by the worker at call time instead. One more entry of the spec's {@code errors}, judged
     * whatever else is wrong with the spec (a tester: it showed up alone once memoryMb was fixed).
     */
    private Optional<String> egressRefusal(dev.ferry.schemas.Runtime runtime, String handler) {
        if (runtime != dev.ferry.schemas.Runtime.HTTP || handler == null) {
            return Optional.empty();
        }
        java.net.URI uri;
        try {
            uri = java.net.URI.create(handler.trim());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // the spec's own validation speaks about malformed URLs
        }
        return g.egress().refusalWithoutLookup(uri).map(refused -> "handler " + Urls.redact(uri) + " is refused "
                + "by the workers' egress policy: " + refused.reason() + (refused.allowable()
                        ? ". An operator can allow it with " + WorkerConfig.HTTP_EGRESS_ALLOW + "." : "."));
    }

    private void list(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        ObjectNode body = g.mapper().createObjectNode();
        ArrayNode functions = body.putArray("functions");
        g.directory().all().stream().filter(s -> s.getTenant().equals(caller.tenant()))
                .forEach(s -> functions.add(withScaling(s)));
        Http.json(g, ctx, 200, body);
    }

    private void describe(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        FunctionSpec spec = Http.function(g, caller, ctx.pathParam("name"));
        Http.json(g, ctx, 200, withScaling(spec));
    }

    /**
     * The spec as JSON with the function's current replicas, desired size and lag (null when unknown), and its
     * throughput model's figures as {@code model} (issue 17, see {@link ThroughputFigures}).
     */
    private ObjectNode withScaling(FunctionSpec spec) {
        ObjectNode body = SpecJson.toJson(g.mapper(), spec);
        FunctionRef ref = new FunctionRef(spec.getTenant(), spec.getName());
        Optional<FunctionScaling> scaling = scaling(ref);
        putNullable(body, "replicas", scaling.map(FunctionScaling::replicas).orElse(null));
        putNullable(body, "desiredReplicas", scaling.map(FunctionScaling::desiredReplicas).orElse(null));
        Long lag = scaling.map(FunctionScaling::lag).orElse(null);
        if (lag == null) {
            body.putNull("lag");
        } else {
            body.put("lag", lag);
        }
        ThroughputFigures.of(spec, g.stats().runTimes(ref), g.stats().arrivalPerSecond(ref), scaling).writeTo(body);
        return body;
    }

    private void remove(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        FunctionSpec spec = Http.function(g, caller, ctx.pathParam("name"));
        FunctionRef ref = new FunctionRef(caller.tenant(), spec.getName());
        writes.holding(ref, () -> {
            Http.function(g, caller, ref.function()); // a delete that waited for another may find it gone: 404
            publish(ref, g.watch().awaitRemoved(ref), () -> g.publisher().remove(ref));
            return null;
        });
        log.info("Removed {}", ref);
        ctx.status(204);
    }

    /**
     * Every function of every tenant together may pin, through {@code minReplicas}, at most the part of the replica
     * budget that minimums may hold ({@link dev.ferry.core.config.AutoscalerConfig#reservableReplicas}): the budget is
     * the platform's, not a tenant's ({@link PinnedReplicas}). One deploy of {@code minReplicas} 1000 took a whole dev
     * platform down (a tester, session 8); a cap per tenant then let another tenant's {@code minReplicas} 50 be
     * accepted and silently held at 9 (session 9). An update counts the function once (its new minimum replaces its
     * old one), in every pool that runs it: its own and its enabled triggers'.
     */
    private void checkReservation(FunctionRef ref, FunctionSpec spec) {
        if (spec.getMinReplicas() == 0) {
            return;
        }
        PinnedReplicas pinned = new PinnedReplicas(g.directory().all(), g.triggers().directory().all(), t -> false);
        int pools = pinned.pools(ref);
        pinned.refuseBeyondReservable(g, ref.tenant(), ref, (long) spec.getMinReplicas() * pools,
                "minReplicas " + spec.getMinReplicas() + (pools > 1 ? " in " + pools + " pools (the function's own "
                        + "and its enabled triggers')" : ""), "invalid_function");
    }

    /**
     * All tenants' work topics together may have at most {@link TopicConfig#workMaxTotalPartitions()} partitions:
     * one tenant's 19 deploys of {@code partitions} 1000, each answered 201, took the embedded broker past its
     * open-file limit and the whole dev platform down (a tester, session 11). Counted is what the brokers hold: each
     * deployed function's topic ({@link #held}) and the work topics deleted functions left ({@link
     * LeftoverWorkTopics}: a delete keeps the topic, so creating wide functions under new names and deleting them
     * grew the brokers' partitions without bound while the budget, counting specs only, never refused), and the topics
     * trigger PUTs created ({@link CreatedTopics}: a missing destination or onFailure topic). Only a write
     * that adds partitions to the brokers is checked (a create beyond its name's leftover topic, or an update that
     * raises them beyond its topic's), so a platform already over a lowered budget can still update its functions and
     * create again a function over its old topic. 400 {@code invalid_function} says the budget, what is left, what
     * the caller's own other functions hold and what deleted functions' topics hold (the caller's part of it, never
     * another tenant's) and how an operator frees those; 503 {@code not_ready} when the cluster cannot list its
     * topics: a deploy needs the cluster to make its topic anyway, and counting specs alone then would let the
     * growth through exactly when the brokers are strained.
     */
    private void checkPartitionBudget(FunctionRef ref, FunctionSpec spec, Optional<FunctionSpec> current) {
        if (current.isPresent() && spec.getPartitions() <= held(current.get())) {
            return;
        }
        PartitionHoldings holdings;
        try {
            holdings = PartitionHoldings.count(g, ref.tenant(), Optional.of(ref), "work-topic partition budget");
        } catch (ApiException e) {
            log.warn("Cannot check the work-topic partition budget for {}: {}", ref, e.getMessage());
            throw e;
        }
        int had = current.map(FunctionRoutes::held).orElse(holdings.leftover(ref));
        int holds = Math.max(spec.getPartitions(), had); // a topic never shrinks
        if (holds <= had) {
            return;
        }
        long others = holdings.functions();
        long own = holdings.own().functions();
        long left = holdings.leftovers();
        long ownLeft = holdings.own().leftovers();
        long made = holdings.created();
        long ownMade = holdings.own().created();
        int budget = g.config().topics().workMaxTotalPartitions();
        if (others + left + made + holds > budget) {
            long free = Math.max(0, budget - others - left - made);
            throw new ApiException(400, "invalid_function", "partitions " + spec.getPartitions() + " is more than "
                    + "the platform has left of its work-topic partition budget: " + free + " of "
                    + TopicConfig.WORK_MAX_TOTAL_PARTITIONS + "=" + budget + " are not held by deployed functions"
                    + (left > 0 ? " or the work topics of deleted functions" : "")
                    + (made > 0 ? " or the topics triggers created" : "")
                    + (own > 0 ? "; this tenant's other functions hold " + own : "")
                    + (made > 0 ? "; topics trigger PUTs created hold " + made
                            + (ownMade > 0 ? " (this tenant's " + ownMade + ")" : "") : "")
                    + (left > 0 ? "; the work topics of deleted functions hold " + left
                            + (ownLeft > 0 ? " (this tenant's " + ownLeft + ")" : "") + ": a deleted function's "
                            + "work topic stays on the brokers until an operator frees its partitions by deleting "
                            + "such a topic (" + g.leftovers().pattern() + ") with Kafka's tools once no "
                            + "function of that name exists; the name's next deploy makes it again" : "")
                    + ". Deploy with fewer partitions, or ask an operator to raise the budget"
                    + (left > 0 ? " or to free those partitions" : ""));
        }
    }

    /**
     * The partitions a deployed function's work topic holds: its {@code partitions}, or more when it was created
     * again over an earlier function's wider topic (topics never shrink; the gateway recorded that topic's
     * partitions then, one {@code workStartOffsets} entry each).
     */
    static int held(FunctionSpec function) {
        int leftover = function.getWorkStartOffsets() == null ? 0 : function.getWorkStartOffsets().size();
        return Math.max(Math.max(0, function.getPartitions()), leftover);
    }

    /**
     * Topics never shrink and a group cannot change its type (share group vs consumer group), so those edits of
     * a deployed function would leave it broken: refuse them and say how to get there. Nor can an {@code ORDERED}
     * function's partitions grow: a key goes to {@code murmur2(key) % partitions}, so after a raise a key's next
     * invocations land on another partition than its queued ones, and the consumer group runs the two partitions in
     * parallel, the later before the earlier (a tester, session 13: keys run out of order and at once after a raise
     * from 2 to 8, every result SUCCEEDED).
     */
    private static void checkCompatible(FunctionSpec existing, FunctionSpec wanted) {
        List<String> conflicts = new ArrayList<>();
        if (wanted.getPartitions() < existing.getPartitions()) {
            conflicts.add("partitions cannot shrink from " + existing.getPartitions() + " to "
                    + wanted.getPartitions());
        }
        if (wanted.getPartitions() > existing.getPartitions() && existing.getDelivery() == Delivery.ORDERED
                && wanted.getDelivery() == Delivery.ORDERED) {
            conflicts.add("partitions of an ORDERED function cannot grow from " + existing.getPartitions() + " to "
                    + wanted.getPartitions() + " in place: a key's next invocations would go to another partition "
                    + "than its queued ones and could run before them; deploy it under a new name with the "
                    + "partitions it needs");
        }
        if (wanted.getDelivery() != existing.getDelivery()) {
            conflicts.add("delivery cannot change from " + existing.getDelivery() + " to " + wanted.getDelivery()
                    + " in place: delete the function first");
        }
        if (!conflicts.isEmpty()) {
            throw new ApiException(409, "conflict", String.join("; ", conflicts));
        }
    }

    private void publish(FunctionRef ref, CompletableFuture<Void> visible, Runnable write) {
        try {
            write.run();
            visible.get(VISIBLE_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw ApiException.notReady("The change to " + ref.function() + " was written but this gateway has "
                    + "not seen it within " + VISIBLE_WITHIN.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw ApiException.notReady("Cannot confirm the change to " + ref.function());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.notReady("Interrupted");
        } catch (RuntimeException e) {
            log.warn("Cannot write {} to the function registry: {}", ref, e.getMessage());
            throw ApiException.notReady("Cannot write to the function registry: " + Http.inWords(e));
        } finally {
            visible.cancel(false);
        }
    }

    private Optional<FunctionScaling> scaling(FunctionRef ref) {
        if (g.scaling() == null) {
            return Optional.empty();
        }
        try {
            return g.scaling().function(ref);
        } catch (RuntimeException e) {
            log.warn("Scaling source failed for {}: {}", ref, e.toString());
            return Optional.empty();
        }
    }

    private static void putNullable(ObjectNode body, String field, Integer value) {
        if (value == null) {
            body.putNull(field);
        } else {
            body.put(field, value);
        }
    }
}

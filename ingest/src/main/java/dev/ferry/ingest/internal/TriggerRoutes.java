package dev.ferry.ingest.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerCycles;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.ingest.TopicPatterns;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.schemas.TriggerState;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Triggers over HTTP (DESIGN, "Triggers"; issue 14, parts 1 and 4): create or update, list, describe, remove.
 * Writes go to {@code ferry.triggers} and answer once this gateway's directory shows them; reads come from the
 * directory and the replicas' reports ({@link TriggerStatusBoard}), and a lag no replica reports (a paused
 * trigger's, or one at zero replicas) from the broker ({@link TriggerLags}).
 *
 * <p>A PUT is checked in this order, each answer naming every offending topic:
 * <ol>
 *   <li>the body (400 {@code invalid_trigger}: unknown fields, bad values, {@link TriggerSpecs#validate}, the
 *   filter);</li>
 *   <li>access (403 {@code forbidden}): no topic of Ferry's own ({@code ferry.*}) as a source, destination or
 *   onFailure, and only topics the tenant's {@code topics} patterns allow. onFailure left out means
 *   {@code ferry.dlq}, the one platform topic a trigger writes to. Access comes before existence, so a tenant
 *   learns nothing about topics it may not use. A write that only pauses a stored trigger (the same topics and
 *   group) is not checked: a tenant whose topics the operator took away can still stop its trigger;</li>
 *   <li>an in-place change that cannot work (409 {@code conflict}): ordering NONE reads with a share group, the
 *   others with a consumer group, and Kafka does not turn one into the other; the same for a group the write takes
 *   that exists in Kafka as the other kind (a deleted trigger's, kept for its offsets);</li>
 *   <li>a group another stored trigger reads with, any tenant's (409 {@code conflict}, not naming another
 *   tenant's trigger): the group is taken, as a name can be, and the write would pass once it is free; 409 and
 *   not 403, since it is no matter of the caller's rights (its own other trigger is refused the same way). Only
 *   a write that takes the group (a new trigger, a change of group) is checked, so a pause always passes.
 *   Within one gateway such writes run one at a time; through two gateways at the same instant both can pass
 *   (docs/design.md, "HTTP API");</li>
 *   <li>cycles (400 {@code invalid_trigger}, {@link TriggerCycles}): a destination or onFailure from which the
 *   stored triggers of every tenant, paused ones included, lead back to one of the trigger's sources, which would
 *   run functions in a circle without end, billed every pass. 400 and not 409: this codebase answers 409 for a
 *   change this name's current spec cannot take in place (deleting it first helps), and here it would not; like a
 *   missing source it is what the spec names that cannot work. A write that only pauses is never refused, so a
 *   loop stored anyway can be stopped. Within one gateway such writes run one at a time;</li>
 *   <li>existence (400 {@code invalid_trigger}): the function, every source topic; a missing destination or
 *   onFailure topic is created with the first source's partition count when {@code trigger.topics.create} is true,
 *   else named as missing.</li>
 * </ol>
 */
public final class TriggerRoutes {

    private static final Logger log = LoggerFactory.getLogger(TriggerRoutes.class);
    private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(15);

    private final GatewayContext g;
    private final GatewayTriggers t;

    private final NameLocks writes;
    /** Held by writes that give a trigger a destination or onFailure, from the cycle check to seeing the write. */
    private final ReentrantLock cycles = new ReentrantLock();
    /**
     * Held by writes that take a group (a new trigger, or a change of group), from the check that no other trigger
     * uses it to seeing the write. Taken after {@link PinningWrites} and before {@link #cycles}.
     */
    private final ReentrantLock groups = new ReentrantLock();

    public TriggerRoutes(GatewayContext g) {
        this.g = g;
        this.t = g.triggers();
        this.writes = t.writes(); // RevokedTopics's pauses hold them too
    }

    public void register(Javalin app) {
        app.put("/v1/triggers/{name}", this::put);
        app.get("/v1/triggers", this::list);
        app.get("/v1/triggers/{name}", this::describe);
        app.delete("/v1/triggers/{name}", this::remove);
    }

    private void put(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        String name = ctx.pathParam("name");
        if (!FunctionRef.isValidName(name)) {
            throw new ApiException(400, "invalid_trigger", "Invalid trigger name '" + Http.abbreviate(name)
                    + "': use 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit");
        }
        TriggerJson.Parsed parsed = TriggerJson.parse(g.mapper(), Http.spec(ctx), caller.tenant(), name,
                t.catalog());
        if (!parsed.valid()) {
            throw invalid(parsed.errors());
        }
        TriggerSpec spec = parsed.spec();
        TriggerRef ref = TriggerSpecs.ref(spec);
        if (!pausesInPlace(t.directory().get(ref), spec)) {
            checkAccess(caller, spec);
        }
        boolean existed = writes.holding(ref, () -> write(spec, ref));
        log.info("{} trigger {} on {} -> function {}{}", existed ? "Updated" : "Created", ref,
                spec.getTopics(), spec.getFunction(), spec.getEnabled() ? "" : " (paused)");
        Http.json(g, ctx, existed ? 200 : 201, withStatus(spec, memoized(t.topics()::existing),
                brokerLags(List.of(spec))));
    }

    /** Checks the change against the current spec, publishes it, waits until it is visible; whether it existed. */
    private boolean write(TriggerSpec spec, TriggerRef ref) {
        Optional<TriggerSpec> current = t.directory().get(ref);
        // A write that may start a pool pinning its function's minimum, or create a destination or onFailure topic
        // (the partition budget), is checked and written while no other such write of this gateway is
        // (PinningWrites).
        boolean mayCreate = spec.getDestination() != null || spec.getOnFailure() != null;
        return g.pinning().holdingIf(startsPool(spec, current) || mayCreate, () -> write(spec, ref, current));
    }

    private boolean write(TriggerSpec spec, TriggerRef ref, Optional<TriggerSpec> current) {
        current.ifPresent(existing -> checkCompatible(existing, spec));
        String group = TriggerSpecs.group(spec, t.catalog());
        if (current.isPresent() && TriggerSpecs.group(current.get(), t.catalog()).equals(group)) {
            // Keeping the group it has takes nothing from anyone; and a pause must work even for a trigger that
            // came to share its group through two gateways at once.
            return writeInGroup(spec, ref, current);
        }
        if (spec.getGroup() == null) {
            // The default group is the trigger's by name: no other trigger may name it (TriggerSpecs.validate).
            checkGroupFree(spec, ref, group);
            checkGroupKind(spec, group);
            return writeInGroup(spec, ref, current);
        }
        // Two writes of different names could each find the group free and both take it: writes that take a group
        // of their own wait for each other, each checking the directory after the previous one is visible in it.
        groups.lock();
        try {
            checkGroupFree(spec, ref, group);
            checkGroupKind(spec, group);
            return writeInGroup(spec, ref, current);
        } finally {
            groups.unlock();
        }
    }

    /**
     * Refuses (409 {@code conflict}) a group that another stored trigger reads with, of any tenant, paused or not:
     * Kafka splits a group's partitions among all its members, so each of the two triggers would see only part of
     * the records, and the other's offsets would be committed for it (a tester's trigger of tenant beta joined
     * alpha's group and answered 30 of alpha's 40 records with beta's function, while alpha's showed lag 0, session
     * 11). Another tenant's trigger is not named, nor its tenant; the caller's own is.
     */
    private void checkGroupFree(TriggerSpec spec, TriggerRef ref, String group) {
        Optional<TriggerSpec> holder = t.directory().all().stream()
                .filter(other -> !TriggerSpecs.ref(other).equals(ref))
                .filter(other -> TriggerSpecs.group(other, t.catalog()).equals(group))
                .findFirst();
        if (holder.isEmpty()) {
            return;
        }
        String who = holder.get().getTenant().equals(spec.getTenant())
                ? "your trigger '" + holder.get().getName() + "'" : "another trigger";
        throw new ApiException(409, "conflict", "group '" + group + "' is already used by " + who + ": Kafka "
                + "splits a group's partitions among its members, so each trigger would see only part of the records. "
                + "Choose another group, or leave group out for " + t.catalog().triggerGroup(ref));
    }

    /**
     * Refuses (409 {@code conflict}) a group that exists in Kafka as the other kind than the spec's ordering reads
     * with ({@link TriggerTopics#otherKind}): the group of a deleted trigger, kept on purpose, under a trigger
     * re-created with the other ordering, which Kafka would refuse for good (tester 12A, finding 5: 201, then
     * FAILING, ~6 ERROR lines a second). The same answer as a change of ordering in place, with the ways out.
     */
    private void checkGroupKind(TriggerSpec spec, String group) {
        boolean share = spec.getOrdering() == TriggerOrdering.NONE;
        t.topics().otherKind(group, share).ifPresent(kind -> {
            throw new ApiException(409, "conflict", "group '" + group + "' exists in Kafka as a " + kind
                    + " group (kept from a trigger that used it, for its offsets), and ordering "
                    + spec.getOrdering() + " reads with a " + (share ? "share" : "consumer") + " group: Kafka "
                    + "cannot turn one kind into the other. " + groupWaysOut(group, kind));
        });
    }

    /** How to get a trigger of the other ordering onto {@code group}, a Kafka group of {@code kind}. */
    private static String groupWaysOut(String group, String kind) {
        return "Give the trigger another group (\"group\", --group), or delete the Kafka group to start it afresh "
                + "(kafka-" + kind + "-groups.sh --bootstrap-server ... --delete --group " + group + ", once no trigger "
                + "uses it).";
    }

    private boolean writeInGroup(TriggerSpec spec, TriggerRef ref, Optional<TriggerSpec> current) {
        checkReservation(spec, ref, current);
        // Pausing is how a user stops a loop stored before the cycle check (or through two gateways at once), so a
        // pause is never refused for one; every other write with an output may close a cycle. Loops run through
        // topics, not groups, so here a pause may change its group (pausesInPlace, for access, may not).
        if (stopsOnSameTopics(current, spec) || (spec.getDestination() == null && spec.getOnFailure() == null)) {
            return checkAndPublish(spec, ref, current);
        }
        // Two writes of different names could each close half of a loop and both pass: writes that add edges wait
        // for each other, each checking the directory after the previous one is visible in it.
        cycles.lock();
        try {
            List<String> loops = TriggerCycles.closedBy(spec, t.directory().all());
            if (!loops.isEmpty()) {
                throw invalid(loops);
            }
            return checkAndPublish(spec, ref, current);
        } finally {
            cycles.unlock();
        }
    }

    /**
     * An enabled trigger's pool is sized by its function's spec, minimum included, so it pins the function's
     * {@code minReplicas} once more: a write that starts such a pool (a new enabled trigger, a resume, a change of
     * function) must fit what the platform has left to reserve, as a deploy must ({@link PinnedReplicas}); else the
     * autoscaler would hold it below its minimum without a word. A pause, or a write that keeps the pool it had, pins
     * nothing new and is never refused for it.
     */
    private void checkReservation(TriggerSpec spec, TriggerRef ref, Optional<TriggerSpec> current) {
        if (!startsPool(spec, current)) {
            return;
        }
        Optional<FunctionSpec> function = g.directory().get(TriggerSpecs.function(spec));
        if (function.isEmpty() || function.get().getMinReplicas() == 0) {
            return;
        }
        new PinnedReplicas(g.directory().all(), t.directory().all(), s -> TriggerSpecs.ref(s).equals(ref))
                .refuseBeyondReservable(g, spec.getTenant(), null, function.get().getMinReplicas(),
                        "A pool of its own for function '" + spec.getFunction() + "' (minReplicas "
                                + function.get().getMinReplicas() + ")", "invalid_trigger");
    }

    /** Whether the write starts a pool that was not running: created or resumed enabled, or moved to a function. */
    private static boolean startsPool(TriggerSpec spec, Optional<TriggerSpec> current) {
        return spec.getEnabled() && current.filter(c -> c.getEnabled()
                && c.getFunction().equals(spec.getFunction())).isEmpty();
    }

    private boolean checkAndPublish(TriggerSpec spec, TriggerRef ref, Optional<TriggerSpec> current) {
        if (current.isEmpty() || !sameButEnabled(current.get(), spec)) {
            // Pausing or resuming a trigger must work even after its source topic was deleted.
            Map<String, Integer> partitions = checkExistence(spec);
            if (spec.getStartingPosition() == StartingPosition.LATEST) {
                // "Latest" is when the trigger was created, not when its first replica joins.
                Map<String, Integer> sources = new LinkedHashMap<>();
                spec.getTopics().forEach(source -> sources.put(source, partitions.get(source)));
                t.topics().pinLatest(TriggerSpecs.group(spec, t.catalog()),
                        spec.getOrdering() == TriggerOrdering.NONE, sources);
            }
        }
        publish(ref, t.watch().awaitPut(spec), () -> t.publisher().put(spec));
        return current.isPresent();
    }

    private void list(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        ObjectNode body = g.mapper().createObjectNode();
        ArrayNode triggers = body.putArray("triggers");
        // One listing of the cluster's topics serves every trigger of the answer (the dashboard asks every second).
        Supplier<Set<String>> topics = memoized(t.topics()::existing);
        List<TriggerSpec> mine = t.directory().all().stream().filter(s -> s.getTenant().equals(caller.tenant()))
                .toList();
        Supplier<Map<TriggerRef, Long>> lags = brokerLags(mine); // one batch of Admin calls for all of them
        mine.forEach(s -> triggers.add(withStatus(s, topics, lags)));
        Http.json(g, ctx, 200, body);
    }

    private void describe(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        TriggerSpec spec = trigger(caller, ctx.pathParam("name"));
        Http.json(g, ctx, 200, withStatus(spec, memoized(t.topics()::existing), brokerLags(List.of(spec))));
    }

    private void remove(Context ctx) {
        Tenants.Caller caller = Http.caller(g, ctx);
        TriggerRef ref = TriggerSpecs.ref(trigger(caller, ctx.pathParam("name")));
        writes.holding(ref, () -> {
            trigger(caller, ref.name()); // a delete that waited for another may find it gone: 404
            publish(ref, t.watch().awaitRemoved(ref), () -> t.publisher().remove(ref));
            return null;
        });
        log.info("Removed trigger {}", ref);
        ctx.status(204);
    }

    /** The caller's trigger; another tenant's of the same name answers the same 404 as none at all. */
    private TriggerSpec trigger(Tenants.Caller caller, String name) {
        if (!FunctionRef.isValidName(name)) {
            throw ApiException.notFound("No trigger '" + Http.abbreviate(name) + "'");
        }
        return t.directory().get(new TriggerRef(caller.tenant(), name))
                .orElseThrow(() -> ApiException.notFound("No trigger '" + name + "'"));
    }

    /**
     * The lags read from the broker ({@link TriggerLags}) of those of {@code specs} whose replicas report none;
     * asked at most once, and only if asked.
     */
    private Supplier<Map<TriggerRef, Long>> brokerLags(List<TriggerSpec> specs) {
        return memoized(() -> t.lags().of(specs.stream().filter(s -> summary(s).lag() == null).toList()));
    }

    private TriggerStatusBoard.Summary summary(TriggerSpec spec) {
        boolean deployed = g.directory().get(TriggerSpecs.function(spec)).isPresent();
        return t.status().summary(TriggerSpecs.ref(spec), spec.getFunction(), spec.getEnabled(), deployed);
    }

    /**
     * The spec as JSON ({@link TriggerJson#toJson}) with what its replicas report: {@code state}, {@code lag} (what the
     * replicas report, else read from the broker: a paused trigger's lag grows; null when neither knows), the counts
     * {@code read}, {@code filtered}, {@code answered}, {@code failed}, their per-second {@code rates} (null until
     * known), {@code replicas} reporting, and {@code error} (null unless FAILING).
     */
    private ObjectNode withStatus(TriggerSpec spec, Supplier<Set<String>> existingTopics,
            Supplier<Map<TriggerRef, Long>> brokerLags) {
        ObjectNode body = TriggerJson.toJson(g.mapper(), spec);
        TriggerStatusBoard.Summary s = summary(spec);
        String state = s.state().name();
        String error = s.error();
        // With no replica running (scaled to zero, or none yet) nobody reports a deleted source topic: say it here,
        // since a trigger that cannot read its sources must not look healthy (a tester saw RUNNING with 0 replicas).
        if (spec.getEnabled() && s.state() != TriggerState.FAILING && s.replicas() == 0) {
            Set<String> existing = existingTopics.get();
            List<String> missing = existing == null ? List.of()
                    : spec.getTopics().stream().filter(topic -> !existing.contains(topic)).toList();
            if (!missing.isEmpty()) {
                state = TriggerState.FAILING.name();
                error = "source topic(s) " + missing + " do not exist";
            }
        }
        body.put("group", TriggerSpecs.group(spec, t.catalog()));
        body.put("state", state);
        body.put("lag", s.lag() != null ? s.lag() : brokerLags.get().get(TriggerSpecs.ref(spec)));
        body.put("read", s.read());
        body.put("filtered", s.filtered());
        body.put("answered", s.answered());
        body.put("failed", s.failed());
        if (s.rates() == null) {
            body.putNull("rates");
        } else {
            body.putObject("rates").put("read", s.rates().read()).put("filtered", s.rates().filtered())
                    .put("answered", s.rates().answered()).put("failed", s.rates().failed());
        }
        body.put("replicas", s.replicas());
        body.put("error", error);
        return body;
    }

    /** Asks {@code source} at most once, and only if asked. */
    private static <T> Supplier<T> memoized(Supplier<T> source) {
        return new Supplier<>() {
            private boolean asked;
            private T value;

            @Override
            public T get() {
                if (!asked) {
                    value = source.get();
                    asked = true;
                }
                return value;
            }
        };
    }

    /**
     * Whether the write stops a stored trigger and reaches no topic or group it did not: {@link #stopsOnSameTopics}
     * and the same group. Such a write is not checked for access (tester, session 21: after the operator took a
     * tenant's topics away, its running trigger could be neither paused nor resumed, only deleted); a resume is, as
     * it reads the topics again.
     */
    private boolean pausesInPlace(Optional<TriggerSpec> current, TriggerSpec spec) {
        return stopsOnSameTopics(current, spec)
                && TriggerSpecs.group(current.get(), t.catalog()).equals(TriggerSpecs.group(spec, t.catalog()));
    }

    /** Enabled false on a stored trigger, the same sources, destination and onFailure; the rest may differ. */
    private static boolean stopsOnSameTopics(Optional<TriggerSpec> current, TriggerSpec spec) {
        return current.isPresent() && !spec.getEnabled() && current.get().getTopics().equals(spec.getTopics())
                && Objects.equals(current.get().getDestination(), spec.getDestination())
                && Objects.equals(current.get().getOnFailure(), spec.getOnFailure());
    }

    private void checkAccess(Tenants.Caller caller, TriggerSpec spec) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> named : TriggerSpecs.namedTopics(spec).entrySet()) {
            String topic = named.getKey();
            String role = named.getValue();
            Optional<String> reserved = t.catalog().reservation(topic);
            if (reserved.isPresent()) {
                problems.add("topic '" + topic + "' is " + reserved.get() + " and cannot be a trigger's " + role
                        + (role.equals("onFailure") ? " (leave onFailure out to use " + t.catalog().dlq() + ")" : ""));
            }
        }
        problems.addAll(denied(spec, caller.topics(), t.catalog()));
        if (!problems.isEmpty()) {
            throw new ApiException(403, "forbidden", problems);
        }
    }

    /**
     * What of {@code spec} its tenant's {@code patterns} do not allow, one message each: a source, destination or
     * onFailure topic, or a group of its own. A group of its own is the other thing a trigger reaches outside Ferry:
     * joining another application's consumer group would take that application's partitions, so the tenant's
     * patterns are the operator's namespace for groups as for topics (the default group, Ferry's own, needs none).
     * Ferry's own topics are refused before this ({@link TopicCatalog#reservation}).
     */
    static List<String> denied(TriggerSpec spec, TopicPatterns patterns, TopicCatalog catalog) {
        List<String> problems = new ArrayList<>();
        String allowed = patterns.isEmpty() ? "none" : patterns.toString();
        for (Map.Entry<String, String> named : TriggerSpecs.namedTopics(spec).entrySet()) {
            String topic = named.getKey();
            if (catalog.reservation(topic).isEmpty() && !patterns.allows(topic)) {
                problems.add("tenant '" + spec.getTenant() + "' may not use topic '" + topic + "' (as "
                        + named.getValue() + "); its topics: " + allowed);
            }
        }
        String group = spec.getGroup();
        String own = catalog.triggerGroup(TriggerSpecs.ref(spec));
        if (group != null && !group.equals(own) && !patterns.allows(group)) {
            problems.add("tenant '" + spec.getTenant() + "' may not use group '" + group + "': a trigger's own group "
                    + "must match the tenant's topic patterns (" + allowed + "); leave group out for " + own);
        }
        return problems;
    }

    private void checkCompatible(TriggerSpec existing, TriggerSpec wanted) {
        boolean wasShared = existing.getOrdering() == TriggerOrdering.NONE;
        boolean isShared = wanted.getOrdering() == TriggerOrdering.NONE;
        if (wasShared != isShared && TriggerSpecs.group(existing, t.catalog()).equals(
                TriggerSpecs.group(wanted, t.catalog()))) {
            throw new ApiException(409, "conflict", "ordering cannot change from " + existing.getOrdering() + " to "
                    + wanted.getOrdering() + " in place: NONE reads with a share group, PARTITION and KEY with a "
                    + "consumer group, and Kafka cannot turn group " + TriggerSpecs.group(existing, t.catalog())
                    + " into the other kind. " + groupWaysOut(TriggerSpecs.group(existing, t.catalog()),
                    wasShared ? "share" : "consumer"));
        }
    }

    private static boolean sameButEnabled(TriggerSpec existing, TriggerSpec wanted) {
        TriggerSpec a = TriggerSpec.newBuilder(existing).setEnabled(true).setUpdatedAt(wanted.getUpdatedAt()).build();
        TriggerSpec b = TriggerSpec.newBuilder(wanted).setEnabled(true).build();
        return a.equals(b);
    }

    /**
     * Checks that the function and the sources exist and creates a missing destination or onFailure topic (or
     * refuses it when the operator turned creation off); returns the partition count of every named topic that
     * existed before.
     */
    private Map<String, Integer> checkExistence(TriggerSpec spec) {
        List<String> errors = new ArrayList<>();
        if (g.directory().get(TriggerSpecs.function(spec)).isEmpty()) {
            errors.add("function '" + spec.getFunction() + "' does not exist: deploy it first");
        }
        Set<String> outputs = new LinkedHashSet<>();
        if (spec.getDestination() != null) {
            outputs.add(spec.getDestination());
        }
        if (spec.getOnFailure() != null) {
            outputs.add(spec.getOnFailure());
        }
        Set<String> all = new LinkedHashSet<>(spec.getTopics());
        all.addAll(outputs);
        Map<String, Integer> partitions = t.topics().partitions(all);
        for (String source : spec.getTopics()) {
            if (!partitions.containsKey(source)) {
                errors.add("source topic '" + source + "' does not exist");
            }
        }
        List<String> missing = outputs.stream().filter(o -> !partitions.containsKey(o)).toList();
        boolean create = g.config().triggers().topicsCreate();
        if (!create) {
            for (String topic : missing) {
                errors.add((Objects.equals(topic, spec.getDestination()) ? "destination" : "onFailure") + " topic '"
                        + topic + "' does not exist (create it first: this platform does not create trigger topics)");
            }
        }
        if (create && !missing.isEmpty()) {
            errors.addAll(collisions(spec, missing));
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        if (!missing.isEmpty()) {
            int each = partitions.get(spec.getTopics().get(0));
            checkPartitionBudget(spec, missing, each);
            t.topics().create(missing, each);
            try {
                t.created().record(spec.getTenant(), missing);
            } catch (RuntimeException e) {
                log.warn("Created {} for trigger {}/{} but could not record them in {} (their partitions are not "
                        + "counted in the partition budget): {}", missing, spec.getTenant(), spec.getName(),
                        t.catalog().triggerTopics(), e.toString());
            }
        }
        return partitions;
    }

    /**
     * A destination or onFailure topic a trigger PUT creates takes partitions from the platform's partition budget
     * ({@link TopicConfig#workMaxTotalPartitions()}), as a work topic does: {@code each} (the first source's count)
     * per topic in {@code missing}. Before, a tenant naming new destination topics grew the brokers' partitions
     * without bound. Counted against it: every deployed function's work topic, the work topics deleted functions
     * left, and every topic trigger PUTs created before ({@link CreatedTopics}). 400 {@code invalid_trigger} says
     * what it would take, what is left, the caller's own share, and the ways out; 503 when the cluster cannot be
     * asked. A topic that exists is never created and never counted.
     */
    private void checkPartitionBudget(TriggerSpec spec, List<String> missing, int each) {
        PartitionHoldings holdings;
        try {
            holdings = PartitionHoldings.count(g, spec.getTenant(), Optional.empty(), "partition budget");
        } catch (ApiException e) {
            log.warn("Cannot check the partition budget for trigger {}/{}: {}", spec.getTenant(), spec.getName(),
                    e.getMessage());
            throw e;
        }
        long held = holdings.total();
        long own = holdings.own().total();
        long adding = (long) missing.size() * each;
        int budget = g.config().topics().workMaxTotalPartitions();
        if (held + adding > budget) {
            long free = Math.max(0, budget - held);
            throw invalid(List.of("creating " + String.join(", ", missing.stream().map(n -> "'" + n + "'").toList())
                    + " (" + each + " partition" + (each == 1 ? "" : "s") + " each, the first source's count) takes "
                    + adding + " partitions, more than the platform has left of its partition budget: " + free
                    + " of " + TopicConfig.WORK_MAX_TOTAL_PARTITIONS + "=" + budget + " are not held by work topics "
                    + "or the topics triggers created" + (own > 0 ? "; this tenant's hold " + own : "")
                    + ". Create the topic yourself first (a topic that exists is the user's and not counted), or "
                    + "ask an operator to raise the budget or to free partitions (a topic a trigger created stays "
                    + "counted until it is deleted with Kafka's tools)"));
        }
    }

    /**
     * Why a topic to be created for the trigger cannot be: another topic of the cluster, or another one to be
     * created with it, has a name Kafka takes for the same ({@link TopicCatalog#collisionForm}). Before, the create
     * failed with the broker's message and a 503 (a tester, session 10); a cluster that cannot list its topics in
     * time leaves that to the create.
     */
    private List<String> collisions(TriggerSpec spec, List<String> missing) {
        Set<String> existing = t.topics().existing();
        List<String> problems = new ArrayList<>();
        Map<String, String> byForm = new HashMap<>();
        if (existing != null) {
            existing.forEach(topic -> byForm.putIfAbsent(TopicCatalog.collisionForm(topic), topic));
        }
        for (String topic : missing) {
            String other = byForm.putIfAbsent(TopicCatalog.collisionForm(topic), topic);
            if (other != null && !other.equals(topic)) {
                problems.add((Objects.equals(topic, spec.getDestination()) ? "destination" : "onFailure") + " topic '"
                        + topic + "' cannot be created: it collides with topic '" + other + "' ("
                        + TopicCatalog.COLLISION_RULE + "); name that topic, or another");
            }
        }
        return problems;
    }

    private static ApiException invalid(List<String> errors) {
        return new ApiException(400, "invalid_trigger", errors);
    }

    private void publish(TriggerRef ref, CompletableFuture<Void> visible, Runnable write) {
        try {
            write.run();
            visible.get(VISIBLE_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw ApiException.notReady("The change to trigger " + ref.name() + " was written but this gateway has "
                    + "not seen it within " + VISIBLE_WITHIN.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw ApiException.notReady("Cannot confirm the change to trigger " + ref.name());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.notReady("Interrupted");
        } catch (RuntimeException e) {
            log.warn("Cannot write {} to the trigger registry: {}", ref, e.getMessage());
            throw ApiException.notReady("Cannot write to the trigger registry: " + Http.inWords(e));
        } finally {
            visible.cancel(false);
        }
    }
}

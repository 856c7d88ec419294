package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.ScalingDecision;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The current scaling state of every function, for {@code GET /v1/scaling} and the dashboard: its replicas (group
 * members), desired size and lag, from the latest {@code LagSample} and {@code ScalingDecision}.
 *
 * <p>Trigger pools (issue 14) are kept apart ({@link PoolRef}): a sample or decision with {@code trigger} set never
 * counts for its function, so {@link #get}, {@link #all} and {@link #ofTenant} show functions' worker pools only,
 * as before; {@link #trigger} and {@link #triggersOfTenant} show the triggers' pools. A view that follows the topics
 * can see a removed pool again from a sample taken just before the removal: show only the pools of functions and
 * triggers that exist (the gateway checks its directories).
 *
 * <p>Either fed by the caller ({@link #onSample}, {@link #onDecision}, {@link #onRemoved}; the
 * {@link AutoscalerService} does so), or following the topics itself: {@link #follow} reads {@code ferry.scaling}
 * from its beginning and {@code ferry.lag} from its end, without a consumer group, so any process (the gateway)
 * can hold one. Thread-safe.
 */
public final class ScalingView implements AutoCloseable {

    /** One function's scaling state. {@code desired} is the replicas' count until a decision is seen. */
    public record FunctionScaling(String tenant, String function, int replicas, int desired, long lag,
            double arrivalRate, Instant updatedAt, String reason) {
    }

    /** One trigger pool's scaling state: as {@link FunctionScaling}, plus the trigger's name. */
    public record TriggerScaling(String tenant, String trigger, String function, int replicas, int desired, long lag,
            double arrivalRate, Instant updatedAt, String reason) {
    }

    private record State(LagSample sample, ScalingDecision decision) {
    }

    private final Map<PoolRef, State> states = new ConcurrentHashMap<>();
    private final List<TopicTail> tails = new ArrayList<>();
    /** The runtime {@link #follow(FerryConfig)} built for this view alone, closed with it. */
    private volatile FerryRuntime owned;

    /** A view the caller feeds. */
    public ScalingView() {
    }

    /**
     * A view that follows {@code ferry.scaling} and {@code ferry.lag} of {@code config}'s cluster by itself, with
     * a runtime of its own (closed with the view): for a process that runs nothing else, and tests.
     */
    public static ScalingView follow(FerryConfig config) {
        FerryRuntime runtime = FerryRuntime.create(config);
        ScalingView view;
        try {
            view = follow(runtime);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        view.owned = runtime;
        return view;
    }

    /**
     * A view that follows {@code ferry.scaling} and {@code ferry.lag} with the process's clients and serdes; closing
     * the view stops its tails and leaves {@code runtime} open.
     */
    public static ScalingView follow(FerryRuntime runtime) {
        KafkaClients clients = runtime.clients();
        TopicCatalog topics = runtime.topics();
        AvroSerdes serdes = runtime.serdes();
        try (Admin admin = clients.admin("ferry-scaling-view-admin")) {
            new TopicProvisioner(admin).ensure(topics.platformTopics().stream()
                    .filter(t -> t.name().equals(topics.lag()) || t.name().equals(topics.scaling())).toList());
        }
        ScalingView view = new ScalingView();
        Deserializer<ScalingDecision> decisions = serdes.deserializer(ScalingDecision.class);
        Deserializer<LagSample> samples = serdes.deserializer(LagSample.class);
        try {
            view.tails.add(TopicTail.builder(clients, topics.scaling(), r -> {
                PoolRef ref = PoolRef.parseKey(new String(r.key(), StandardCharsets.UTF_8));
                if (r.value() == null) {
                    view.onRemoved(ref);
                } else {
                    view.onDecision(decisions.deserialize(r.topic(), r.headers(), r.value()));
                }
            }).name("ferry-scaling-view-decisions").from(TopicTail.Start.beginning()).build().start());
            view.tails.add(TopicTail.builder(clients, topics.lag(),
                    r -> view.onSample(samples.deserialize(r.topic(), r.headers(), r.value())))
                    .name("ferry-scaling-view-lag").from(TopicTail.Start.end()).build().start());
        } catch (RuntimeException e) {
            view.close();
            throw e;
        }
        return view;
    }

    /** Takes a sample of a function's pool or (with {@code trigger} set) of a trigger's pool. */
    public void onSample(LagSample sample) {
        PoolRef ref = PoolRef.of(sample);
        states.merge(ref, new State(sample, null), (old, now) -> new State(sample, old.decision()));
    }

    /** Takes a decision for a function's pool or (with {@code trigger} set) for a trigger's pool. */
    public void onDecision(ScalingDecision decision) {
        PoolRef ref = PoolRef.of(decision);
        states.merge(ref, new State(null, decision), (old, now) -> new State(old.sample(), decision));
    }

    public void onRemoved(FunctionRef ref) {
        onRemoved(PoolRef.of(ref));
    }

    public void onRemoved(PoolRef ref) {
        states.remove(ref);
    }

    public Optional<FunctionScaling> get(FunctionRef ref) {
        PoolRef pool = PoolRef.of(ref);
        return Optional.ofNullable(states.get(pool)).map(s -> toScaling(pool, s));
    }

    /**
     * Whether the pool's desired size (its latest decision, else its members) is above zero; false when nothing is
     * known of it. Asked for every quiet pool on every autoscaler poll (issue 16), so it builds nothing.
     */
    public boolean desiredAboveZero(PoolRef pool) {
        State state = states.get(pool);
        if (state == null) {
            return false;
        }
        ScalingDecision decision = state.decision();
        LagSample sample = state.sample();
        return decision != null ? decision.getTo() > 0 : sample != null && sample.getReplicas() > 0;
    }

    /** Every function's worker pool (no trigger's), ordered by tenant and name. */
    public List<FunctionScaling> all() {
        return states.entrySet().stream().filter(e -> !e.getKey().trigger())
                .map(e -> toScaling(e.getKey(), e.getValue()))
                .sorted(Comparator.comparing(FunctionScaling::tenant).thenComparing(FunctionScaling::function))
                .toList();
    }

    /** A trigger's pool; empty when nothing is known of it yet. */
    public Optional<TriggerScaling> trigger(TriggerRef ref) {
        PoolRef pool = PoolRef.of(ref);
        return Optional.ofNullable(states.get(pool)).map(s -> toTriggerScaling(pool, s));
    }

    /** The pools of one tenant's triggers, ordered by trigger name. */
    public List<TriggerScaling> triggersOfTenant(String tenant) {
        return states.entrySet().stream().filter(e -> e.getKey().trigger() && e.getKey().tenant().equals(tenant))
                .map(e -> toTriggerScaling(e.getKey(), e.getValue()))
                .sorted(Comparator.comparing(TriggerScaling::trigger)).toList();
    }

    /** The functions of one tenant: what {@code GET /v1/scaling} shows that tenant. */
    public List<FunctionScaling> ofTenant(String tenant) {
        return all().stream().filter(f -> f.tenant().equals(tenant)).toList();
    }

    /** Ready while the topics it follows are followed; a view the caller feeds is always ready. */
    public ReadinessCheck readiness() {
        return () -> tails.stream().map(t -> t.readiness().problem()).flatMap(Optional::stream).findFirst();
    }

    @Override
    public void close() {
        tails.forEach(TopicTail::close);
        FerryRuntime runtime = owned;
        if (runtime != null) {
            runtime.close();
        }
    }

    private static FunctionScaling toScaling(PoolRef ref, State state) {
        TriggerScaling s = toTriggerScaling(ref, state);
        return new FunctionScaling(ref.tenant(), ref.name(), s.replicas(), s.desired(), s.lag(), s.arrivalRate(),
                s.updatedAt(), s.reason());
    }

    private static TriggerScaling toTriggerScaling(PoolRef ref, State state) {
        LagSample sample = state.sample();
        ScalingDecision decision = state.decision();
        int replicas = sample == null ? 0 : sample.getReplicas();
        int desired = decision == null ? replicas : decision.getTo();
        Instant updated = sample == null ? decision.getAt()
                : decision == null || sample.getAt().isAfter(decision.getAt()) ? sample.getAt() : decision.getAt();
        String function = sample != null ? sample.getFunction() : decision.getFunction();
        return new TriggerScaling(ref.tenant(), ref.trigger() ? ref.name() : null, function, replicas, desired,
                sample == null ? 0 : sample.getTotalLag(), sample == null ? 0 : sample.getArrivalRate(), updated,
                decision == null ? "" : decision.getReason());
    }
}

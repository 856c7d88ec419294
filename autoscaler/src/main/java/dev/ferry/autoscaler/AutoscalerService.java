package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.AutoscalerConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.functions.PoolWakeups;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerDirectory;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.ScalingDecision;
import dev.ferry.schemas.TriggerSpec;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaler as a service: three loops joined only by topics, so each could run in a process of its own.
 * {@link CollectLoop} publishes a {@code LagSample} per pool to {@code ferry.lag} every {@code autoscaler.poll.ms}
 * (a function's worker pool, and the pool of every enabled trigger whose function is deployed: issue 14);
 * {@link DecideLoop} (consumer group {@code ferry-autoscaler}) runs them through a {@link ScalingController} and
 * publishes each change of size to the compacted {@code ferry.scaling}, and a tombstone there when a function is
 * removed; {@link ActLoop}, when there is an {@link Actuator}, follows {@code ferry.scaling} and applies it. It
 * follows {@code ferry.functions} and {@code ferry.triggers} for what to size; see {@link PoolRef} for the keys.
 *
 * <p>The budget {@code autoscaler.max.total.replicas} is shared among the functions whose samples reach one policy
 * loop: run one autoscaler per cluster (more share {@code ferry.lag}'s partitions, and the budget with them).
 */
public final class AutoscalerService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AutoscalerService.class);

    private final AutoscalerConfig settings;
    private final FerryRuntime runtime;
    /** Whether {@link #runtime} was built for this service alone, to close with it. */
    private final boolean ownsRuntime;
    private final TopicCatalog topics;
    private final KafkaClients clients;
    private final AvroSerdes serdes;
    private final Clock clock;
    private final Optional<Actuator> actuator;
    private final ScalingView view = new ScalingView();
    private final ScalingController controller;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private volatile FunctionDirectory directory;
    private volatile TriggerDirectory triggers;
    private volatile ActLoop act;
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile boolean running;

    /**
     * A service with a runtime of its own, closed with it: for a process that runs nothing else, and tests.
     *
     * @param actuator what applies the decisions; {@code null} publishes them only
     */
    public AutoscalerService(FerryConfig config, Actuator actuator, Clock clock) {
        this(FerryRuntime.create(config), true, actuator, clock);
    }

    /**
     * The autoscaler of the process {@code runtime} serves: it follows the runtime's function and trigger
     * directories and leaves them open when it closes.
     *
     * @param actuator what applies the decisions; {@code null} publishes them only
     */
    public AutoscalerService(FerryRuntime runtime, Actuator actuator, Clock clock) {
        this(runtime, false, actuator, clock);
    }

    private AutoscalerService(FerryRuntime runtime, boolean ownsRuntime, Actuator actuator, Clock clock) {
        this.runtime = runtime;
        this.ownsRuntime = ownsRuntime;
        this.settings = runtime.config().autoscaler();
        this.topics = runtime.topics();
        this.clients = runtime.clients();
        this.serdes = runtime.serdes();
        this.clock = clock;
        this.actuator = Optional.ofNullable(actuator);
        this.controller = new ScalingController(ScalingPolicies.fromConfig(settings),
                ScalingController.Settings.from(settings), clock);
    }

    /**
     * A service with the actuator {@code autoscaler.actuator} names: {@code in-process} resizes through
     * {@code pools} (publish-only when {@code pools} is null), {@code kubernetes} scales Deployments with the
     * cluster credentials found the usual way (kubeconfig or the pod's service account), {@code none} publishes.
     */
    public static AutoscalerService create(FerryRuntime runtime, PoolResizer pools) {
        AutoscalerConfig settings = runtime.config().autoscaler();
        Actuator actuator = switch (settings.actuator()) {
            case InProcessActuator.NAME -> pools == null ? null : new InProcessActuator(pools);
            case KubernetesActuator.NAME -> new KubernetesActuator(new KubernetesClientBuilder().build(),
                    settings.kubernetesNamespace(), settings.kubernetesDeployment(),
                    settings.kubernetesTriggerDeployment(), true);
            default -> null;
        };
        return new AutoscalerService(runtime, actuator, Clock.systemUTC());
    }

    public ScalingView view() {
        return view;
    }

    public synchronized AutoscalerService start() {
        if (running) {
            return this;
        }
        running = true;
        try (Admin admin = clients.admin("ferry-autoscaler-setup")) {
            new TopicProvisioner(admin).ensure(topics.platformTopics().stream()
                    .filter(t -> t.name().equals(topics.lag()) || t.name().equals(topics.scaling())
                            || t.name().equals(topics.wakeups())).toList());
        }
        // Its decisions and lag samples written without the registry from now on (session 13: a registry lost before
        // this process's first decision kept every pool of it where it was for the whole outage).
        serdes.prepare(Map.of(topics.scaling(), ScalingDecision.class, topics.lag(), LagSample.class));
        KafkaProducer<String, byte[]> producer = clients.producer("ferry-autoscaler", new StringSerializer(),
                new ByteArraySerializer(), Map.of());
        resources.add(producer);
        this.producer = producer;
        // The process's directories, loaded on first use (the runtime warns if that takes long; the functions
        // known so far are scaled meanwhile). The runtime owns them: this service only stops listening.
        FunctionDirectory directory = runtime.functions();
        this.directory = directory;
        TriggerDirectory triggers = runtime.triggers();
        this.triggers = triggers;
        // Each of these reads a topic before it returns (the actuator's tail from the start of ferry.scaling, the
        // run times' tail its end, the policy loop's seed ferry.scaling to its end): at once, not one after another
        // (issue 16: ferry dev's start to ready).
        CompletableFuture<ActLoop> acting = actuator.map(a -> CompletableFuture.supplyAsync(() ->
                new ActLoop(clients, topics, a, view, serdes.deserializer(ScalingDecision.class)).start(), STARTER))
                .orElse(CompletableFuture.completedFuture(null));
        CompletableFuture<TopicTail> runTimes = CompletableFuture.supplyAsync(this::followRunTimes, STARTER);
        try {
            startLoops(directory, triggers);
        } finally {
            // Whatever started is closed with the service, also when another part failed to start.
            ActLoop startedAct = joined(acting);
            if (startedAct != null) {
                act = startedAct;
                resources.add(startedAct);
            }
            TopicTail startedRunTimes = joined(runTimes);
            if (startedRunTimes != null) {
                resources.add(startedRunTimes);
            }
        }
        if (acting.isCompletedExceptionally() || runTimes.isCompletedExceptionally()) {
            throw failure(acting.isCompletedExceptionally() ? acting : runTimes);
        }
        log.info("Autoscaler started: policy {}, actuator {}, poll {} ms", controller.policy().name(),
                actuator.map(Actuator::name).orElse("none"), settings.pollMs());
        return this;
    }

    /** Runs each blocking start on a daemon thread of its own (the common pool has one thread on two cores). */
    private static final java.util.concurrent.Executor STARTER = task -> {
        Thread thread = new Thread(task, "ferry-autoscaler-start");
        thread.setDaemon(true);
        thread.start();
    };

    private static <T> T joined(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    private static RuntimeException failure(CompletableFuture<?> failed) {
        try {
            failed.join();
            return new IllegalStateException("not failed");
        } catch (CompletionException e) {
            return e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private void startLoops(FunctionDirectory directory, TriggerDirectory triggers) {
        KafkaProducer<String, byte[]> producer = this.producer;
        DecideLoop decide = new DecideLoop(clients, topics, directory, triggers, controller, view, producer,
                serdes.deserializer(LagSample.class), serdes.serializer(ScalingDecision.class),
                serdes.deserializer(ScalingDecision.class), settings.pollMs(), clock).start();
        resources.add(decide);
        FunctionDirectory.Listener functionListener = new FunctionDirectory.Listener() {
            @Override
            public void deployed(FunctionSpec spec) {
                // nothing to do: the collector reads the directory on every poll
            }

            @Override
            public void removed(FunctionRef ref) {
                decide.removed(ref);
                // Its triggers' pools stop too: a trigger runs only while its function exists.
                triggers.all().stream().filter(t -> TriggerSpecs.function(t).equals(ref))
                        .forEach(t -> decide.removed(TriggerSpecs.ref(t), "function " + ref + " removed"));
            }
        };
        directory.addListener(functionListener);
        resources.add(() -> directory.removeListener(functionListener));
        TriggerDirectory.Listener triggerListener = new TriggerDirectory.Listener() {
            @Override
            public void upserted(TriggerRef ref, TriggerSpec spec) {
                if (!spec.getEnabled()) {
                    decide.removed(ref, "trigger disabled");
                }
            }

            @Override
            public void removed(TriggerRef ref) {
                decide.removed(ref, "trigger removed");
            }
        };
        triggers.addListener(triggerListener);
        resources.add(() -> triggers.removeListener(triggerListener));
        CollectLoop collect = new CollectLoop(clients, topics, directory::all, triggers::all, producer,
                serdes.serializer(LagSample.class), settings.pollMs(), settings.quietCheckMs(), clock)
                .sizedAboveZero(this::sizedAboveZero).start();
        resources.add(collect);
        followWakeups(collect);
    }

    /**
     * Ready while its function and trigger directories and the actuator's tail of {@code ferry.scaling} follow
     * their topics.
     */
    public ReadinessCheck readiness() {
        return () -> {
            FunctionDirectory current = directory;
            TriggerDirectory currentTriggers = triggers;
            if (!running || current == null || currentTriggers == null) {
                return Optional.of("autoscaler is not running");
            }
            Optional<String> problem = current.readiness().problem().or(() -> currentTriggers.readiness().problem());
            ActLoop acting = act;
            return problem.isPresent() || acting == null ? problem : acting.readiness().problem();
        };
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        Collections.reverse(reversed);
        for (AutoCloseable resource : reversed) {
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("Error closing {}: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
        resources.clear();
        if (ownsRuntime) {
            runtime.close();
        }
    }

    /**
     * Whether the size in force for {@code pool} is above zero: the controller's, not the view's. The view's
     * {@code desired} falls back to the members when it has seen no decision (a size the controller took from the
     * members it first saw, or seeded from {@code ferry.scaling} with no actuator here), so once those members died
     * the pool looked sized at zero, went quiet, and the controller kept the old size (and its share of the
     * budget) until the next full reading a minute later; and a view that kept a decision above zero after the
     * controller had followed the members down never let the pool go quiet again.
     */
    private boolean sizedAboveZero(PoolRef pool) {
        return controller.sizedAboveZero(pool);
    }

    /**
     * Scale-from-zero without waiting for the next collection (issue 16, part 2): a dispatcher that routes work to a
     * pool it believes at zero replicas says so, and the collector reads that pool at once. A dispatcher in this
     * process says so directly ({@code FerryRuntime.wakeups()}, no Kafka hop); one in another process writes
     * {@code ferry.wakeups} (key {@code tenant/function}) in the transaction that routes the work, followed here from
     * its end.
     */
    private void followWakeups(CollectLoop collect) {
        PoolWakeups.Listener local = functions -> collect.wake(functions.stream().map(PoolRef::of).toList());
        runtime.wakeups().addListener(local);
        resources.add(() -> runtime.wakeups().removeListener(local));
        resources.add(TopicTail.builder(clients, topics.wakeups(), r -> {
            if (r.key() == null) {
                return;
            }
            String key = new String(r.key(), StandardCharsets.UTF_8);
            try {
                collect.wake(List.of(PoolRef.of(FunctionRef.parseKey(key))));
            } catch (IllegalArgumentException e) {
                log.debug("Ignoring a wakeup with a key of no function: {}", key);
            }
        }).name("ferry-autoscaler-wakeups").from(TopicTail.Start.end()).build().start());
    }

    /**
     * Rate-aware policies size by the throughput model until a replica's rate is learned (issue 17): they need each
     * function's mean run time, which the results carry ({@code durationMicros}); read from the end of
     * {@code ferry.results}, since older results say nothing about the function as it runs now.
     */
    private TopicTail followRunTimes() {
        if (!(controller.policy() instanceof RateAwarePolicy policy)) {
            return null;
        }
        try (Admin admin = clients.admin("ferry-autoscaler-results-setup")) {
            new TopicProvisioner(admin).ensure(topics.platformTopics().stream()
                    .filter(t -> t.name().equals(topics.results())).toList());
        }
        RunTimes runTimes = new RunTimes();
        Deserializer<InvocationResult> results = serdes.deserializer(InvocationResult.class);
        TopicTail tail = TopicTail.builder(clients, topics.results(), r -> {
            if (r.value() != null) {
                runTimes.observe(results.deserialize(r.topic(), r.headers(), r.value()));
            }
        }).name("ferry-autoscaler-run-times").from(TopicTail.Start.end()).build().start();
        policy.useRunTimes(runTimes);
        return tail;
    }
}

package dev.ferry.autoscaler;

import dev.ferry.autoscaler.internal.TopicFollower;
import dev.ferry.core.FerryException;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.AutoscalerConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.metrics.FerryMetrics;
import io.micrometer.core.instrument.Counter;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.ScalingDecision;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaler as a service: every {@code autoscaler.poll.ms} the {@link LagCollector} publishes a
 * {@code LagSample} per function to {@code ferry.lag}; the policy loop (consumer group {@code ferry-autoscaler})
 * runs them through a {@link ScalingController} and publishes each change of size to the compacted
 * {@code ferry.scaling}, and a tombstone there when a function is removed; the {@link Actuator}, if any, follows
 * {@code ferry.scaling}. The three are joined only by topics, so each could run in a process of its own.
 *
 * <p>The budget {@code autoscaler.max.total.replicas} is shared among the functions whose samples reach one policy
 * loop: run one autoscaler per cluster (more share {@code ferry.lag}'s partitions, and the budget with them).
 */
public final class AutoscalerService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AutoscalerService.class);

    private final AutoscalerConfig settings;
    private final TopicCatalog topics;
    private final KafkaClients clients;
    private final Clock clock;
    private final Optional<Actuator> actuator;
    private final ScalingView view = new ScalingView();
    private final ScalingController controller;
    private final Serializer<LagSample> lagSerializer;
    private final Deserializer<LagSample> lagDeserializer;
    private final Serializer<ScalingDecision> decisionSerializer;
    private final Deserializer<ScalingDecision> decisionDeserializer;
    private final Deserializer<FunctionSpec> specDeserializer;
    private final Deserializer<InvocationResult> resultDeserializer;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private FunctionDirectory directory;
    private KafkaProducer<String, byte[]> producer;
    private KafkaConsumer<String, byte[]> policyConsumer;
    private volatile boolean running;

    /**
     * @param actuator what applies the decisions; {@code null} publishes them only
     */
    public AutoscalerService(FerryConfig config, Actuator actuator, Clock clock) {
        this.settings = config.autoscaler();
        this.topics = new TopicCatalog(config);
        this.clients = new KafkaClients(config);
        this.clock = clock;
        this.actuator = Optional.ofNullable(actuator);
        this.controller = new ScalingController(ScalingPolicies.fromConfig(settings),
                ScalingController.Settings.from(settings), clock);
        AvroSerdes serdes = new AvroSerdes(config);
        this.lagSerializer = serdes.serializer(LagSample.class);
        this.lagDeserializer = serdes.deserializer(LagSample.class);
        this.decisionSerializer = serdes.serializer(ScalingDecision.class);
        this.decisionDeserializer = serdes.deserializer(ScalingDecision.class);
        this.specDeserializer = serdes.deserializer(FunctionSpec.class);
        this.resultDeserializer = serdes.deserializer(InvocationResult.class);
    }

    /**
     * A service with the actuator {@code autoscaler.actuator} names: {@code in-process} resizes through
     * {@code pools} (publish-only when {@code pools} is null), {@code kubernetes} scales Deployments with the
     * cluster credentials found the usual way (kubeconfig or the pod's service account), {@code none} publishes.
     */
    public static AutoscalerService create(FerryConfig config, PoolResizer pools) {
        AutoscalerConfig settings = config.autoscaler();
        Actuator actuator = switch (settings.actuator()) {
            case InProcessActuator.NAME -> pools == null ? null : new InProcessActuator(pools);
            case KubernetesActuator.NAME -> new KubernetesActuator(new KubernetesClientBuilder().build(),
                    settings.kubernetesNamespace(), settings.kubernetesDeployment(), true);
            default -> null;
        };
        return new AutoscalerService(config, actuator, Clock.systemUTC());
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
                    .filter(t -> t.name().equals(topics.lag()) || t.name().equals(topics.scaling())).toList());
        }
        producer = clients.producer("ferry-autoscaler", new StringSerializer(), new ByteArraySerializer(), Map.of());
        resources.add(producer);
        directory = new FunctionDirectory(clients, topics, specDeserializer).start();
        resources.add(directory);
        if (!directory.awaitCaughtUp(Duration.ofSeconds(30))) {
            log.warn("Function directory not caught up after 30 s; scaling the functions known so far");
        }
        directory.addListener(new FunctionDirectory.Listener() {
            @Override
            public void deployed(FunctionSpec spec) {
                // nothing to do: the collector reads the directory on every poll
            }

            @Override
            public void removed(FunctionRef ref) {
                controller.onRemoved(ref).forEach(AutoscalerService.this::publish);
                producer.send(new ProducerRecord<>(topics.scaling(), ref.key(), null));
                view.onRemoved(ref);
            }
        });
        actuator.ifPresent(a -> {
            resources.add(a);
            resources.add(new TopicFollower(clients, topics.scaling(), TopicFollower.Start.BEGINNING,
                    "ferry-autoscaler-actuator", this::actuate).start());
        });
        followRunTimes();
        startPolicyLoop();
        startCollector();
        log.info("Autoscaler started: policy {}, actuator {}, poll {} ms", controller.policy().name(),
                actuator.map(Actuator::name).orElse("none"), settings.pollMs());
        return this;
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        if (policyConsumer != null) {
            policyConsumer.wakeup();
        }
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        java.util.Collections.reverse(reversed);
        for (AutoCloseable resource : reversed) {
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("Error closing {}: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
        resources.clear();
    }

    private void startCollector() {
        Admin admin = clients.admin("ferry-autoscaler-lag");
        LagCollector collector = new LagCollector(admin, topics, directory::all, clock);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ferry-autoscaler-collector");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                for (LagSample sample : collector.collect()) {
                    String key = sample.getTenant() + "/" + sample.getFunction();
                    producer.send(new ProducerRecord<>(topics.lag(), key,
                            lagSerializer.serialize(topics.lag(), sample)));
                }
            } catch (RuntimeException e) {
                log.warn("Lag collection failed, trying again next poll: {}", e.toString());
            }
        }, 0, settings.pollMs(), TimeUnit.MILLISECONDS);
        resources.add(admin);
        resources.add(() -> {
            scheduler.shutdownNow();
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        });
    }

    private void startPolicyLoop() {
        // Old samples say nothing about now: a new group starts at the end of ferry.lag.
        policyConsumer = clients.consumer(topics.autoscalerGroup(), "ferry-autoscaler-policy",
                new StringDeserializer(), new ByteArrayDeserializer(),
                Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"));
        policyConsumer.subscribe(List.of(topics.lag()));
        Thread thread = new Thread(this::policyLoop, "ferry-autoscaler-policy");
        thread.setDaemon(true);
        thread.start();
        resources.add(() -> thread.join(TimeUnit.SECONDS.toMillis(10)));
    }

    private void policyLoop() {
        Duration stale = Duration.ofMillis(Math.max(10_000, 10 * settings.pollMs()));
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : policyConsumer.poll(Duration.ofMillis(200))) {
                    try {
                        LagSample sample = lagDeserializer.deserialize(record.topic(), record.headers(),
                                record.value());
                        view.onSample(sample);
                        if (sample.getAt().isBefore(clock.instant().minus(stale))) {
                            continue;
                        }
                        FunctionRef ref = new FunctionRef(sample.getTenant(), sample.getFunction());
                        directory.get(ref).ifPresent(spec -> controller.onSample(spec, sample).forEach(this::publish));
                    } catch (RuntimeException e) {
                        log.warn("Skipping lag sample {}-{}@{}: {}", record.topic(), record.partition(),
                                record.offset(), e.toString());
                    }
                }
                policyConsumer.commitAsync();
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            log.error("Autoscaler policy loop stopped", e);
        } finally {
            policyConsumer.close(Duration.ofSeconds(5));
        }
    }

    private void publish(ScalingDecision decision) {
        String key = decision.getTenant() + "/" + decision.getFunction();
        log.info("[function={}] scale {} -> {}: {}", key, decision.getFrom(), decision.getTo(), decision.getReason());
        view.onDecision(decision);
        Counter.builder("ferry.autoscaler.decisions").description("Scaling decisions published, by direction")
                .tags("tenant", decision.getTenant(), "function", decision.getFunction(),
                        "direction", decision.getTo() > decision.getFrom() ? "up" : "down")
                .register(FerryMetrics.registry()).increment();
        producer.send(new ProducerRecord<>(topics.scaling(), key,
                decisionSerializer.serialize(topics.scaling(), decision)), (metadata, error) -> {
                    if (error != null) {
                        log.error("[function={}] cannot publish scaling decision: {}", key, error.toString());
                    }
                });
    }

    private void actuate(ConsumerRecord<byte[], byte[]> record) {
        FunctionRef ref = FunctionRef.parseKey(new String(record.key(), StandardCharsets.UTF_8));
        Actuator target = actuator.orElseThrow(() -> new FerryException("no actuator"));
        if (record.value() == null) {
            view.onRemoved(ref);
            target.remove(ref);
            return;
        }
        ScalingDecision decision = decisionDeserializer.deserialize(record.topic(), record.headers(), record.value());
        view.onDecision(decision);
        target.apply(decision);
    }

    /**
     * Gives a rate-aware (or predictive) policy, which uses the throughput model (issue 17), each function's mean run time T, from every result
     * on {@code ferry.results} read from its end (a fresh mean: only results after start count).
     */
    private void followRunTimes() {
        if (!(controller.policy() instanceof RateAwarePolicy policy)) {
            return;
        }
        try (Admin admin = clients.admin("ferry-autoscaler-results-setup")) {
            new TopicProvisioner(admin).ensure(topics.platformTopics().stream()
                    .filter(t -> t.name().equals(topics.results())).toList());
        }
        RunTimes runTimes = new RunTimes();
        resources.add(new TopicFollower(clients, topics.results(), TopicFollower.Start.END,
                "ferry-autoscaler-run-times", r -> {
                    if (r.value() != null) {
                        runTimes.observe(resultDeserializer.deserialize(r.topic(), r.headers(), r.value()));
                    }
                }).start());
        policy.useRunTimes(runTimes);
    }
}

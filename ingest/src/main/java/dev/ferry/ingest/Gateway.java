package dev.ferry.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.DaemonThreads;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.functions.FunctionPublisher;
import dev.ferry.core.health.KafkaHealth;
import dev.ferry.core.health.Readiness;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.http.HttpErrors;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.metrics.FerryMetrics;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerDirectory;
import dev.ferry.core.triggers.TriggerPublisher;
import dev.ferry.ingest.internal.ApiException;
import dev.ferry.ingest.internal.CreatedTopics;
import dev.ferry.ingest.internal.DirectoryWatch;
import dev.ferry.ingest.internal.FunctionRoutes;
import dev.ferry.ingest.internal.FunctionStats;
import dev.ferry.ingest.internal.GatewayContext;
import dev.ferry.ingest.internal.GatewayId;
import dev.ferry.ingest.internal.GatewayReplies;
import dev.ferry.ingest.internal.InvokeRoutes;
import dev.ferry.ingest.internal.LeftoverWorkTopics;
import dev.ferry.ingest.internal.PinningWrites;
import dev.ferry.ingest.internal.PlatformRoutes;
import dev.ferry.ingest.internal.QuotaExchange;
import dev.ferry.ingest.internal.ResultRouter;
import dev.ferry.ingest.internal.ResultStore;
import dev.ferry.ingest.internal.RevokedTopics;
import dev.ferry.ingest.internal.GatewayTriggers;
import dev.ferry.ingest.internal.TenantQuotas;
import dev.ferry.ingest.internal.TriggerRoutes;
import dev.ferry.ingest.internal.TriggerStatusBoard;
import dev.ferry.ingest.internal.TriggerLags;
import dev.ferry.ingest.internal.TriggerTopics;
import dev.ferry.ingest.internal.TriggerWatch;
import dev.ferry.ingest.internal.Tenants;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.schemas.TriggerStatus;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Tag;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP gateway of docs/design.md ("HTTP API"): functions, triggers, invocations (synchronous and asynchronous),
 * usage, scaling and health, for the tenants of the tenants file ({@code gateway.tenants.file}). Its meters go to the
 * process registry ({@link FerryMetrics}), which the management listener serves to operators, never this public
 * port (issue 12).
 *
 * <pre>{@code
 * try (Gateway gateway = new Gateway(config).usageSource(metering::usage).start()) {
 *     int port = gateway.port();
 * }
 * }</pre>
 *
 * <p>Any number of gateways may serve the same cluster: a synchronous call's result comes back on the reply topic
 * of the gateway that holds it ({@code ferry.replies.<id>}), and every gateway reads the asynchronous results and
 * who owns each pending id, so any of them answers {@code GET /v1/invocations/{id}} (issue 15). Wire the optional
 * sources before {@link #start()}.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    /** How often the usage source is asked whether it can answer, in the background. */
    private static final Duration USAGE_CHECK_INTERVAL = Duration.ofSeconds(2);
    /** Its answer's age after which it counts as none (the source hangs past its few seconds). */
    private static final Duration USAGE_CHECK_STALE = Duration.ofSeconds(10);
    /** After the drain timeout, how long the answers of expired synchronous waits may take to be written. */
    private static final Duration LAST_ANSWERS = Duration.ofSeconds(1);
    /** How long no request must be in progress, after the listening sockets closed, before connections close. */
    private static final Duration QUIET = Duration.ofMillis(200);

    private final FerryConfig config;
    private final FerryRuntime runtime;
    /** Whether {@link #runtime} was built for this gateway alone, to close with it. */
    private final boolean ownsRuntime;
    private UsageSource usageSource;
    private ScalingSource scalingSource;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private volatile Readiness readiness = new Readiness();
    private Javalin app;
    private volatile GatewayContext context;
    private final StatisticsHandler requests = new StatisticsHandler();
    /** The HTTP server, kept so a stop can close its listening sockets before it closes its connections. */
    private volatile Server jetty;
    private volatile boolean draining;
    private volatile GatewayReplies replies;
    /** Shares the tenants' quotas with the other gateways; null when sharing is off or before start. */
    private volatile QuotaExchange quotaSharing;

    /** A gateway with a runtime of its own, closed with it: for a process that runs nothing else, and tests. */
    public Gateway(FerryConfig config) {
        this(FerryRuntime.create(config), true);
    }

    /**
     * The gateway of the process {@code runtime} serves: it follows the runtime's function and trigger directories
     * and leaves the runtime open when it closes.
     */
    public Gateway(FerryRuntime runtime) {
        this(runtime, false);
    }

    private Gateway(FerryRuntime runtime, boolean ownsRuntime) {
        this.runtime = runtime;
        this.ownsRuntime = ownsRuntime;
        this.config = runtime.config();
    }

    /** Answers {@code GET /v1/usage}; without one it answers 503. */
    public synchronized Gateway usageSource(UsageSource source) {
        requireNotStarted();
        this.usageSource = source;
        return this;
    }

    /**
     * The readiness of the process this gateway serves in: the gateway adds its checks to it, and its public
     * {@code /readyz} answers it whole, so the process's management listener, answering the same, cannot tell
     * another story (tester 13B). Without one the gateway has a readiness of its own.
     */
    public synchronized Gateway readiness(Readiness processReadiness) {
        requireNotStarted();
        this.readiness = processReadiness;
        return this;
    }

    /** Answers {@code GET /v1/scaling} and the replicas and lag of {@code GET /v1/functions/{name}}. */
    public synchronized Gateway scalingSource(ScalingSource source) {
        requireNotStarted();
        this.scalingSource = source;
        return this;
    }

    /**
     * Adds a condition of {@code /readyz} under {@code name}: something this process serves that must work before
     * it says ready (a service beside the gateway, the built-in functions). May be called before or after
     * {@link #start()}.
     */
    public Gateway readinessCheck(String name, ReadinessCheck check) {
        readiness.add(name, check);
        return this;
    }

    /**
     * A check that every function of {@code required} is deployed and visible to this gateway: until then a call
     * to one would answer 404 (issue 11, part 4: {@code ferry dev} said ready before its built-in {@code echo}
     * existed).
     */
    public ReadinessCheck functionsDeployed(Set<FunctionRef> required) {
        Set<FunctionRef> refs = Set.copyOf(required);
        return () -> {
            GatewayContext current = context;
            if (current == null) {
                return Optional.of("the gateway is starting");
            }
            List<String> missing = refs.stream().filter(r -> current.directory().get(r).isEmpty())
                    .map(FunctionRef::key).sorted().toList();
            return missing.isEmpty() ? Optional.empty() : Optional.of("not deployed yet: " + String.join(", ", missing));
        };
    }

    /**
     * Creates the platform topics if needed, loads the function directory, starts reading results and opens the
     * HTTP port. Fails if Kafka cannot be reached.
     */
    public synchronized Gateway start() {
        requireNotStarted();
        try {
            context = buildContext();
            app = Javalin.create(javalin -> {
                javalin.showJavalinBanner = false;
                // Only a declared Content-Length is compared with this (Javalin 6), so it cannot bound a chunked
                // body: every route reads its body through Http.body, which stops at the route's own limit.
                javalin.http.maxRequestSize = config.topics().maxMessageBytes();
                HttpErrors.configure(javalin);
                // Counts the requests in progress (asynchronous ones until their answer is complete), for the drain
                // of close(). Jetty's own graceful stop is not used: the drain has already waited for them, and its
                // wait for idle connections timed out on a loaded machine and aborted the stop.
                javalin.jetty.modifyServer(server -> {
                    server.setHandler(requests);
                    jetty = server;
                });
            });
            HttpErrors.register(app);
            app.before(ctx -> {
                if (draining) {
                    // A stopping gateway produces nothing more: the caller hears now, and may retry elsewhere.
                    ctx.header("Connection", "close");
                    throw new ApiException(503, "shutting_down", "The gateway is shutting down; retry", 1);
                }
                QuotaExchange sharing = quotaSharing;
                Optional<String> steppedOut = sharing == null ? Optional.empty() : sharing.steppedOut();
                if (steppedOut.isPresent() && ctx.path().startsWith("/v1/")) {
                    // Two live gateways with one id would each admit a tenant's whole quota (tester 15A).
                    throw new ApiException(503, "not_ready", "This gateway does not serve: " + steppedOut.get(), 1);
                }
            });
            app.after(ctx -> {
                if (draining) {
                    // The client's next request must open a new connection, which the closed port then refuses,
                    // rather than reuse this one as Jetty stops.
                    ctx.header("Connection", "close");
                }
            });
            app.after(ctx -> context.metrics().counter("ferry.gateway.requests", "method", ctx.method().name(),
                    "status", Integer.toString(ctx.statusCode())).increment());
            new FunctionRoutes(context).register(app);
            new InvokeRoutes(context).register(app);
            new TriggerRoutes(context).register(app);
            PlatformRoutes platform = new PlatformRoutes(context);
            platform.register(app);
            resources.add(FerryMetrics.beforeScrape(platform::refreshScalingGauges));
            // Before the port opens, so no request is admitted under the whole limits (issue 15, part 3).
            // Fails when another gateway is live with this gateway.id; while running, the later of two steps out.
            QuotaExchange sharing = QuotaExchange.start(runtime, context.quotas(), replies.gatewayId());
            if (sharing != null) {
                resources.add(sharing);
                readiness.add("gateway-id", sharing::steppedOut);
                quotaSharing = sharing;
            }
            app.start(config.gateway().port());
            runtime.platformPorts().add(app.port());
            log.info("Gateway listening on port {}", app.port());
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The HTTP port (the one chosen when {@code gateway.port} is 0). */
    public int port() {
        if (app == null) {
            throw new IllegalStateException("The gateway is not started");
        }
        return app.port();
    }

    /** This gateway's id (it names its reply topic, {@code ferry.replies.<id>}; issue 15). */
    public String id() {
        return started().gatewayId();
    }

    /**
     * How many records this gateway has read from its own reply topic since it started: with any number of gateways,
     * the replies to its own synchronous calls and nothing else (issue 15, part 5). Also the gauge
     * {@code ferry.gateway.replies.read}, tagged {@code gateway}.
     */
    public long repliesRead() {
        return started().repliesRead();
    }

    /** The synchronous calls waiting for their result now (also the gauge {@code ferry.gateway.pending.results}). */
    public int callsWaiting() {
        return started().router().waiting();
    }

    private GatewayReplies started() {
        GatewayReplies current = replies;
        if (current == null) {
            throw new IllegalStateException("The gateway is not started");
        }
        return current;
    }

    private GatewayContext buildContext() {
        KafkaClients clients = runtime.clients();
        TopicCatalog topics = runtime.topics();
        AvroSerdes serdes = runtime.serdes();
        Admin admin = clients.admin("ferry-gateway-admin");
        resources.add(admin);
        new TopicProvisioner(admin).ensure(topics.platformTopics());
        // The Kafka path's subject, which outside producers write too: guarded so Ferry reads all they register.
        serdes.prepareInput(topics.invocations(), InvocationRequest.class);
        // What else it writes to its fixed topics, written without the registry from now on (session 13).
        serdes.prepare(Map.of(topics.accepted(),
                InvocationRequest.class, topics.asyncResults(), InvocationResult.class, topics.functions(),
                FunctionSpec.class, topics.triggers(), TriggerSpec.class));

        // The process's directory, loaded on first use; the runtime owns it, this gateway only stops listening.
        FunctionDirectory directory = runtime.functions();
        DirectoryWatch watch = new DirectoryWatch();
        directory.addListener(watch);
        resources.add(() -> directory.removeListener(watch));
        FunctionPublisher publisher = new FunctionPublisher(clients, topics, serdes.serializer(FunctionSpec.class));
        resources.add(publisher);

        ResultStore store = new ResultStore(config.gateway().resultStoreMaxEntries(),
                config.gateway().resultStoreMaxBytes(),
                Duration.ofMillis(config.gateway().resultRetentionMs()), Clock.systemUTC());
        // Shared with every service of this process, so one scrape of the management listener shows them all.
        PrometheusMeterRegistry metrics = FerryMetrics.registry();
        FunctionStats stats = new FunctionStats(metrics, Clock.systemUTC());
        // Its own replies and the shared asynchronous results, not all of ferry.results (issue 15).
        GatewayReplies replies = GatewayReplies.start(GatewayId.of(config.gateway()), clients, topics,
                admin, serdes.deserializer(InvocationResult.class), serdes.serializer(InvocationResult.class),
                serdes.deserializer(InvocationRequest.class),
                store, Duration.ofMillis(config.gateway().resultRetentionMs()), result -> {
                    // A result this gateway passed on from its reply topic comes back on the shared one: count once.
                    if (store.record(result)) {
                        stats.record(result);
                    }
                });
        resources.add(replies);
        this.replies = replies;
        ResultRouter router = replies.router();

        // Bounded below the answers' own bounds (session 15): send() blocks at most max.block.ms (5 s) without
        // metadata, below InvokeRoutes.ACK_WAIT (10 s), so such a refusal, which wrote nothing, answers 503 first;
        // a record not acknowledged is given up after delivery.timeout.ms (30 s, not the default 120 s), each try
        // after request.timeout.ms (10 s). The callers are answered at their own bounds whatever these do.
        KafkaProducer<String, InvocationRequest> producer = clients.producer("ferry-gateway", new StringSerializer(),
                serdes.serializer(InvocationRequest.class),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 1, ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000));
        // Bounded: after the drain nothing is in flight, and a stop must not hang on an unreachable cluster.
        resources.add(() -> producer.close(Duration.ofSeconds(2)));

        String tenantsFile = config.gateway().tenantsFile();
        Tenants tenants = new Tenants(tenantsFile.isBlank() ? null : Path.of(tenantsFile), config.gateway(),
                System::nanoTime);
        ExecutorService responses = Executors.newCachedThreadPool(DaemonThreads.numbered("ferry-gateway-respond-"));
        resources.add(responses::shutdownNow);
        metrics.gauge("ferry.gateway.pending.results", router, ResultRouter::waiting);
        metrics.gauge("ferry.gateway.stored.results", store, ResultStore::size);
        metrics.gauge("ferry.gateway.replies.read", List.of(Tag.of("gateway", replies.gatewayId())), replies,
                GatewayReplies::repliesRead);

        GatewayTriggers triggers = buildTriggers(clients, topics, serdes, admin);
        if (tenants.hasFile()) {
            // A tenant's topics taken away pause its running triggers that read or write them.
            resources.add(new RevokedTopics(tenants, triggers, Clock.systemUTC()).start());
        }

        // Asked in the background: a probe never waits on the cluster (a frozen broker left /readyz unanswered).
        Readiness.Polled kafka = KafkaHealth.polled(admin, "ferry-gateway-kafka-health");
        resources.add(kafka);
        readiness.add("kafka", kafka)
                .add("functions", directory.readiness())
                .add("triggers", triggers.directory().readiness())
                .add("results", replies.readiness());
        if (usageSource != null) {
            // Advisory: metering down stops GET /v1/usage only (it answers 503 then), not the invocations this
            // gateway serves; a process that runs metering itself adds that as a check of its own.
            Readiness.Polled usage = Readiness.polled(() -> usageSource.unavailable(), USAGE_CHECK_INTERVAL,
                    USAGE_CHECK_STALE, "ferry-gateway-usage-health");
            resources.add(usage);
            readiness.addAdvisory("usage", usage);
        }
        return new GatewayContext(config, new ObjectMapper(), tenants, new TenantQuotas(System::nanoTime),
                directory, watch, publisher, store, router, stats, producer, topics.invocations(), metrics, usageSource,
                scalingSource, readiness, responses, triggers, replies, new PinningWrites(),
                new LeftoverWorkTopics(admin, topics), runtime.httpEgress());
    }

    /**
     * Triggers (issue 14): the directory of {@code ferry.triggers} a PUT waits on, the publisher, and the replicas'
     * reports read from {@code ferry.trigger-status} from its beginning (a compacted table, so a fresh gateway knows
     * every replica at once).
     */
    private GatewayTriggers buildTriggers(KafkaClients clients, TopicCatalog topics, AvroSerdes serdes, Admin admin) {
        TriggerDirectory directory = runtime.triggers();
        TriggerWatch watch = new TriggerWatch();
        directory.addListener(watch);
        resources.add(() -> directory.removeListener(watch));
        TriggerPublisher publisher = new TriggerPublisher(clients, topics, serdes.serializer(TriggerSpec.class));
        resources.add(publisher);
        TriggerStatusBoard board = new TriggerStatusBoard(
                Duration.ofMillis(config.triggers().statusIntervalMs()), Clock.systemUTC());
        Deserializer<TriggerStatus> statuses = serdes.deserializer(TriggerStatus.class);
        String statusTopic = topics.triggerStatus();
        TopicTail tail = TopicTail.builder(clients, statusTopic, record -> board.record(
                new String(record.key(), StandardCharsets.UTF_8),
                record.value() == null ? null : statuses.deserialize(statusTopic, record.value())))
                .name("ferry-gateway-trigger-status").build();
        resources.add(tail);
        tail.start();
        readiness.add("trigger-status", tail.readiness());
        CreatedTopics created = new CreatedTopics(clients, topics, admin);
        resources.add(created);
        created.start(Duration.ofSeconds(30));
        return new GatewayTriggers(directory, watch, publisher, board, new TriggerTopics(admin, config.topics()),
                topics, new TriggerLags(admin, topics), created);
    }

    private void drain() {
        long began = System.nanoTime();
        draining = true;
        long deadline = began + Duration.ofMillis(config.gateway().drainTimeoutMs()).toNanos();
        boolean drained = awaitNoRequests(deadline, Duration.ZERO);
        if (!drained && context != null) {
            context.router().expireAll("the gateway is stopping");
            drained = awaitNoRequests(System.nanoTime() + LAST_ANSWERS.toNanos(), Duration.ZERO);
        }
        // A connection accepted just before the drain found no request in progress would be closed unanswered by
        // the stop (a caller saw "header parser received no bytes"): stop listening first, then let what came in on
        // open connections meanwhile be answered (503, shutting down).
        Server server = jetty;
        if (server != null) {
            for (Connector connector : server.getConnectors()) {
                if (connector instanceof NetworkConnector network) {
                    try {
                        network.close();
                    } catch (RuntimeException e) {
                        log.debug("Cannot stop listening on {}", network, e);
                    }
                }
            }
            drained = awaitNoRequests(System.nanoTime() + LAST_ANSWERS.toNanos(), QUIET) && drained;
        }
        log.info("Gateway drained in {} ms ({} requests still in progress)", (System.nanoTime() - began) / 1_000_000,
                drained ? 0 : requests.getRequestsActive());
    }

    /** Waits until no request has been in progress for {@code quiet} (zero: until none is), or the deadline. */
    private boolean awaitNoRequests(long deadlineNanos, Duration quiet) {
        long quietSince = System.nanoTime();
        while (requests.getRequestsActive() > 0 || System.nanoTime() - quietSince < quiet.toNanos()) {
            if (System.nanoTime() >= deadlineNanos) {
                return false;
            }
            if (requests.getRequestsActive() > 0) {
                quietSince = System.nanoTime();
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }


    private void requireNotStarted() {
        if (app != null || context != null) {
            throw new IllegalStateException("The gateway is already started");
        }
    }

    /**
     * Stops cleanly (issue 11): new requests are refused with 503 {@code shutting_down} before they produce
     * anything; the calls in progress are answered, for up to {@code gateway.drain.timeout.ms}; synchronous calls
     * still waiting for their result then get the 504 that says where to fetch it; then the port closes and the
     * Kafka clients close. So every invocation the gateway produced is one its caller heard about.
     */
    @Override
    public synchronized void close() {
        if (app != null) {
            drain();
            try {
                app.stop();
            } catch (RuntimeException e) {
                log.warn("The gateway's HTTP server did not stop cleanly: {}", e.toString());
            }
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("Error closing {}: {}", resources.get(i), e.toString());
            }
        }
        resources.clear();
        if (ownsRuntime) {
            runtime.close();
        }
    }
}

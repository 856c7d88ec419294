package dev.ferry.cli.service;

import dev.ferry.autoscaler.ScalingView;
import dev.ferry.cli.CliException;
import dev.ferry.core.FerryException;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.RetriableFerryException;
import dev.ferry.core.Shutdown;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.health.KafkaHealth;
import dev.ferry.core.health.Readiness;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.invocation.UsageGranularity;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.metrics.ManagementServer;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.core.runtime.RegistryCheck;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.dispatcher.Dispatcher;
import dev.ferry.ingest.FunctionScaling;
import dev.ferry.ingest.Gateway;
import dev.ferry.ingest.ScalingSource;
import dev.ferry.ingest.TenantAdmin;
import dev.ferry.ingest.UsageSource;
import dev.ferry.metering.MeteringService;
import dev.ferry.metering.UsageQueryClient;
import dev.ferry.schemas.UsageRecord;
import dev.ferry.worker.TriggerService;
import dev.ferry.worker.WorkerContext;
import dev.ferry.worker.WorkerService;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the chosen Ferry services against one configuration and stops them in dependency order. The dispatcher,
 * the workers (then the autoscaler, which sizes their pools), metering and the gateway start at once, each on a
 * thread of its own, since none needs another to start (issue 16: start to ready was the sum of every role's
 * start). The gateway asks the autoscaler and metering through sources that answer once those are up, and says
 * ready only once every role has started and is ready. {@code ferry dev} runs every role in one process; each
 * service command runs one.
 *
 * <p>Every role gets the same {@link FerryRuntime} (issue 13): one client factory, one registry client, one
 * directory of {@code ferry.functions} and one of {@code ferry.triggers} per process, whatever the roles. The
 * platform owns that runtime and closes it after every role.
 */
public final class Platform implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Platform.class);
    /**
     * How often every process looks for a transaction holding a platform topic: three Admin requests, within the
     * slack a hanging one is reported after ({@code StuckTransactions.SLACK}).
     */
    private static final Duration TRANSACTION_WATCH_INTERVAL = Duration.ofSeconds(30);
    /** The look takes up to three Admin calls of 30 s each when the cluster does not answer. */
    private static final Duration TRANSACTION_WATCH_STALE = Duration.ofSeconds(150);

    /** The services of docs/design.md's module table. */
    public enum Role { DISPATCHER, WORKER, AUTOSCALER, METERING, GATEWAY }

    private final FerryConfig config;
    private final FerryRuntime runtime;
    /** What each role started, in start order; closed in reverse. */
    private final Map<Role, List<AutoCloseable>> started = new EnumMap<>(Role.class);
    /**
     * The process's readiness: "services" until every role has started, then each role's checks (the gateway's
     * own among them). The one answer of the management listener's /readyz and of the gateway's public one.
     */
    private final Readiness readiness = new Readiness();
    /** Asked before each step of the start: a stop abandons it between steps. */
    private final StartCheck check;
    // Written by the start threads, read after they are joined (or by close()).
    private volatile WorkerService workers;
    private volatile TriggerService triggers;
    private volatile MeteringService metering;
    private volatile Gateway gateway;
    /** Set once every role of this process has started; /readyz says "the services are starting" before. */
    private volatile boolean rolesStarted;
    private volatile Autoscaling autoscaling;
    private ManagementServer management;
    /** The cluster check of a process without a gateway, and its admin client; null otherwise. */
    private Readiness.Polled kafkaHealth;
    private Admin kafkaAdmin;
    /** The watch of hanging transactions on the platform topics ({@code StuckTransactions}), every process's. */
    private Readiness.Polled transactionWatch;

    private Platform(FerryRuntime runtime, StartCheck check) {
        this.runtime = runtime;
        this.config = runtime.config();
        this.check = check;
        readiness.add("services", () -> rolesStarted ? Optional.empty() : Optional.of("the services are starting"));
    }

    /**
     * Starts {@code roles}; progress lines go to {@code progress}. With the gateway but without metering in this
     * process, usage is asked of the metering instance at {@code meteringUrl} (null: usage answers 503).
     */
    public static Platform start(FerryConfig config, Set<Role> roles, URI meteringUrl, PrintWriter progress) {
        return start(config, roles, meteringUrl, progress, Set.of());
    }

    /**
     * As above; the gateway is ready only once every function of {@code required} is deployed and visible to it
     * (what {@code ferry dev} promises its user: the built-ins).
     */
    public static Platform start(FerryConfig config, Set<Role> roles, URI meteringUrl, PrintWriter progress,
            Set<FunctionRef> required) {
        return start(FerryRuntime.create(config), roles, meteringUrl, progress, required);
    }

    /**
     * As above, over a runtime the caller built (to deploy the built-ins before the services start, say): the
     * platform takes it over and closes it after every role, also when starting fails.
     */
    public static Platform start(FerryRuntime runtime, Set<Role> roles, URI meteringUrl, PrintWriter progress,
            Set<FunctionRef> required) {
        return start(runtime, roles, meteringUrl, progress, required, StartCheck.NONE);
    }

    /**
     * As above, asking {@code check} before each step (the management listener, the registry wait, the topics,
     * each role's start): a command's stop abandons the start between steps (tester 18A, finding 5), closing what
     * has started as for any failure to start.
     */
    static Platform start(FerryRuntime runtime, Set<Role> roles, URI meteringUrl, PrintWriter progress,
            Set<FunctionRef> required, StartCheck check) {
        Platform platform = new Platform(runtime, check);
        try {
            platform.startRoles(EnumSet.copyOf(roles), meteringUrl, progress, Set.copyOf(required));
            return platform;
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
    }

    /**
     * How the command that starts the services spells the option moving each of their ports, for the message of a
     * taken port.
     */
    record PortOptions(String gateway, String metering, String management) {
        /** The service commands ({@code ferry gateway}, {@code ferry metering}, ...). */
        static final PortOptions SERVICE = new PortOptions("--set " + GatewayConfig.PORT + "=N",
                "--set " + MeteringConfig.HTTP_PORT + "=N", "--management-port N (-1: none)");
    }

    /**
     * The ports the services of {@code roles} will listen on, as configured: the gateway's, the metering usage
     * API's and the management listener's. {@link #start} checks them before anything starts (a standalone gateway
     * on a taken port used to fail after 14 s and leave its reply topic behind); {@code ferry dev} adds its broker's
     * and registry's and checks before starting those.
     */
    static PortCheck servicePorts(FerryConfig config, Set<Role> roles, PortOptions options) {
        PortCheck check = new PortCheck();
        if (roles.contains(Role.GATEWAY)) {
            check.add(config.gateway().port(), "gateway", options.gateway());
        }
        if (roles.contains(Role.METERING)) {
            check.add(config.metering().httpPort(), "metering usage API", options.metering());
        }
        if (config.management().enabled()) {
            check.add(config.management().port(), "management listener", options.management());
        }
        return check;
    }

    /**
     * Refuses, before anything starts, a gateway whose configured tenants file is missing or broken (tester 15A,
     * finding 3: it started, said it was ready and answered every key 401). No file configured stays allowed.
     *
     * @throws CliException exit 2, as the other configuration mistakes, naming the path and what is wrong
     */
    static void requireTenantsFile(FerryConfig config, Set<Role> roles) {
        String file = config.gateway().tenantsFile();
        if (!roles.contains(Role.GATEWAY) || file.isBlank()) {
            return;
        }
        try {
            TenantAdmin.requireReadable(java.nio.file.Path.of(file));
        } catch (FerryException e) {
            throw new CliException(e.getMessage(), 2);
        }
    }

    private void startRoles(Set<Role> roles, URI meteringUrl, PrintWriter progress, Set<FunctionRef> required) {
        servicePorts(config, roles, PortOptions.SERVICE).requireFree();
        requireTenantsFile(config, roles);
        check.check();
        if (config.management().enabled()) {
            // First, so a taken port or a missing token fails before anything else starts; its /readyz says
            // "starting" until every role has started, then asks each role's checks (session 12).
            management = ManagementServer.start(config.management(), readiness);
            runtime.platformPorts().add(management.port());
        }
        awaitRegistry(runtime, check);
        KafkaClients clients = runtime.clients();
        TopicCatalog topics = runtime.topics();
        try (Admin admin = clients.admin("ferry-platform-admin")) {
            new TopicProvisioner(admin).ensure(topics.platformTopics());
        }
        check.check();
        if (!roles.contains(Role.GATEWAY)) {
            // A gateway asks the cluster among its own checks; any other process asks it here (tester 15A, finding
            // 4: a dispatcher, worker and metering said ready through a whole broker outage, as nothing they did
            // failed while their polls waited on a broker that did not answer).
            kafkaAdmin = clients.admin("ferry-platform-health");
            kafkaHealth = KafkaHealth.polled(kafkaAdmin, "ferry-kafka-health");
            readiness("kafka", kafkaHealth);
        }
        // Advisory: a transaction holding a platform topic for good stops its read_committed readers, and nothing
        // they do fails (KIP-664; dev aborts those a crash left before this, DevEnvironment).
        transactionWatch = Readiness.polled(runtime.stuckTransactions(), TRANSACTION_WATCH_INTERVAL,
                TRANSACTION_WATCH_STALE, "ferry-transaction-watch");
        readiness.addAdvisory("transactions", transactionWatch);
        // The dispatcher, the workers (then the autoscaler, which sizes their pools), metering and the gateway need
        // nothing of one another to start: they start at once, each on a thread of its own (issue 16: start to ready
        // was the sum of every role's start).
        List<Runnable> independent = new ArrayList<>();
        if (roles.contains(Role.DISPATCHER)) {
            independent.add(() -> {
                List<Dispatcher> dispatchers = new ArrayList<>(1);
                step(progress, "dispatcher", () -> {
                    Dispatcher dispatcher = new Dispatcher(runtime).start();
                    started(Role.DISPATCHER).add(dispatcher);
                    readiness("dispatcher", dispatcher.readiness());
                    dispatchers.add(dispatcher);
                });
                // Two instances with one id fence each other (a tester, session 10): say which one this is.
                synchronized (progress) {
                    progress.printf("  %-11s transactional.id %s%n", "", dispatchers.get(0).transactionalId());
                    progress.flush();
                }
            });
        }
        if (roles.contains(Role.WORKER) || roles.contains(Role.AUTOSCALER)) {
            independent.add(() -> {
                if (roles.contains(Role.WORKER)) {
                    step(progress, "workers", () -> startWorkers(roles));
                }
                if (roles.contains(Role.AUTOSCALER)) {
                    step(progress, "autoscaler", () -> {
                        Autoscaling created = Autoscaling.start(runtime, workers, triggers);
                        started(Role.AUTOSCALER).add(created);
                        autoscaling = created;
                        readiness("autoscaler", created.readiness());
                    });
                }
            });
        }
        if (roles.contains(Role.METERING)) {
            independent.add(() -> step(progress, "metering", () -> {
                MeteringService created = new MeteringService(runtime).start();
                started(Role.METERING).add(created);
                metering = created;
                // Not ready while its Streams are not running, with or without a gateway beside it (a metering
                // process's management /readyz said nothing of them). Before it has started, "services" says so.
                readiness("metering", created.readiness());
            }));
        }
        if (roles.contains(Role.GATEWAY)) {
            independent.add(() -> step(progress, "gateway", () -> startGateway(roles, meteringUrl, required)));
        }
        inParallel(independent);
        check.check();
        rolesStarted = true;
    }

    /**
     * The gateway starts beside the other roles: it takes the autoscaler's view and metering's usage through
     * sources that answer once those have started, and is not ready until every role has started and is ready.
     */
    private void startGateway(Set<Role> roles, URI meteringUrl, Set<FunctionRef> required) {
        // Ready means what this process serves works, every service beside the gateway too: its checks join the
        // process's, and its public /readyz answers them whole, as the management listener does (tester 13B).
        Gateway created = new Gateway(runtime).readiness(readiness);
        if (roles.contains(Role.METERING)) {
            // Metering is a service of this process, with a deciding check of its own ("metering"); the gateway's
            // "usage" check is advisory, for a metering that runs elsewhere.
            created.usageSource(new StartingUsage());
        } else if (meteringUrl != null) {
            created.usageSource(new MeteringUsage(new UsageQueryClient(meteringUrl, config.metering().httpToken())));
        }
        if (roles.contains(Role.AUTOSCALER)) {
            created.scalingSource(new StartingScaling());
        } else {
            ScalingView view = ScalingView.follow(runtime);
            started(Role.GATEWAY).add(view);
            created.scalingSource(Autoscaling.source(view));
            readiness("scaling", view.readiness());
        }
        if (!required.isEmpty()) {
            created.readinessCheck("builtins", created.functionsDeployed(required));
        }
        gateway = created.start();
        started(Role.GATEWAY).add(gateway);
    }

    /** The autoscaler's view once it has started; nothing is known of any function before. */
    private final class StartingScaling implements ScalingSource {
        @Override
        public Optional<FunctionScaling> function(FunctionRef ref) {
            Autoscaling current = autoscaling;
            return current == null ? Optional.empty() : current.view().function(ref);
        }

        @Override
        public List<FunctionScaling> tenant(String tenant) {
            Autoscaling current = autoscaling;
            return current == null ? List.of() : current.view().tenant(tenant);
        }
    }

    /** Metering's usage API once metering has started; before, asking fails (the gateway answers 503). */
    private final class StartingUsage implements UsageSource {
        private volatile MeteringUsage usage;

        private MeteringUsage usage() {
            MeteringUsage current = usage;
            MeteringService service = metering;
            if (current == null && service != null) {
                current = new MeteringUsage(new UsageQueryClient(service.url(), config.metering().httpToken()));
                usage = current;
            }
            return current;
        }

        @Override
        public List<UsageRecord> usage(String tenant, Instant from, Instant to, Optional<String> function,
                UsageGranularity granularity) {
            MeteringUsage current = usage();
            if (current == null) {
                throw new RetriableFerryException("Metering is starting");
            }
            return current.usage(tenant, from, to, function, granularity);
        }

        @Override
        public Optional<String> unavailable() {
            // Before metering has started the "services" check says so; a cached answer here would outlive it.
            MeteringUsage current = usage();
            return current == null ? Optional.empty() : current.unavailable();
        }
    }

    /** What {@code role} started; the lists are synchronized, since roles start on threads of their own. */
    private List<AutoCloseable> started(Role role) {
        synchronized (started) {
            return started.computeIfAbsent(role, r -> Collections.synchronizedList(new ArrayList<>()));
        }
    }

    private void step(PrintWriter progress, String name, Runnable start) {
        check.check();
        long began = System.nanoTime();
        start.run();
        synchronized (progress) {
            progress.printf("  %-11s started in %d ms%n", name, (System.nanoTime() - began) / 1_000_000);
            progress.flush();
        }
    }
    private void startWorkers(Set<Role> roles) {
        // The pools follow the runtime's ferry.functions, the one every service of this process reads.
        readiness("workers", runtime.functions().readiness());
        // A replica that met a record whose schema the registry could not give waits out of its group: not ready.
        readiness("schema registry", runtime.registryWatch());
        WorkerContext context = new WorkerContext(runtime);
        started(Role.WORKER).add(context);
        // With an autoscaler in this process, pools start at minReplicas and it sizes them from lag.
        workers = new WorkerService(context, roles.contains(Role.AUTOSCALER) ? 0 : 1).start();
        started(Role.WORKER).add(workers);
        // Triggers run in the worker process beside the pools, sharing its context (issue 14), with the same initial
        // replicas: 1 without an autoscaler, 0 with one.
        readiness("triggers", runtime.triggers().readiness());
        triggers = new TriggerService(context, roles.contains(Role.AUTOSCALER) ? 0 : 1).start();
        started(Role.WORKER).add(triggers);
    }

    /**
     * Runs each start on a thread of its own and waits for all of them, also when one fails, so that whatever
     * started is known to {@link #close()}; then throws the first failure.
     */
    private static void inParallel(List<Runnable> starts) {
        if (starts.size() <= 1) {
            starts.forEach(Runnable::run);
            return;
        }
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Runnable start = starts.get(i);
            Thread thread = new Thread(() -> {
                try {
                    start.run();
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            }, "ferry-platform-start-" + i);
            thread.setDaemon(true);
            thread.start();
            running.add(done);
        }
        RuntimeException first = null;
        for (CompletableFuture<Void> done : running) {
            try {
                done.join();
            } catch (CompletionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException r ? r : new FerryException(
                            "A service failed to start: " + e.getCause(), e.getCause());
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Every service reads Avro through the schema registry: one that cannot reach it must not start and take work
     * it cannot do (a tester, session 12: a dispatcher with a wrong --schema-registry started, took partitions of
     * ferry.invocations and stalled every call on them while it reported healthy). A bounded wait, for an
     * orchestrator that starts the registry a moment later; then exit 2 like any other wrong option, naming the URL
     * and the last answer. {@code ferry dev} asks it before it deploys its built-ins, with a registry of its own or not.
     * A stop interrupts the wait ({@link StartCheck#interruptible}): an orchestrator stopping a service whose registry
     * is not up must not wait out {@code schema.registry.wait.ms}.
     *
     * @throws CliException exit 2, when the registry does not answer within {@code schema.registry.wait.ms}
     */
    static void awaitRegistry(FerryRuntime runtime, StartCheck check) {
        FerryConfig config = runtime.config();
        check.interruptible(() -> {
            try {
                RegistryCheck.await(runtime.registry(), config.schemaRegistryUrls(), config.schemaRegistryWait());
            } catch (RegistryCheck.RegistryUnavailableException e) {
                throw new CliException(e.getMessage(), 2);
            }
        });
    }

    private void readiness(String name, ReadinessCheck check) {
        readiness.add(name, check);
    }


    public FerryConfig config() {
        return config;
    }

    /** The runtime every role of this process shares; the platform closes it. */
    public FerryRuntime runtime() {
        return runtime;
    }

    /** The gateway's HTTP port, when this process runs one. */
    public int gatewayPort() {
        if (gateway == null) {
            throw new IllegalStateException("This process runs no gateway");
        }
        return gateway.port();
    }

    /**
     * The management listener's port (/metrics, /healthz, /readyz), or -1 when it is off
     * ({@code management.port=-1}).
     */
    public int managementPort() {
        return management == null ? -1 : management.port();
    }

    public URI meteringUrl() {
        return metering == null ? null : metering.url();
    }

    /**
     * Stops in dependency order (issue 11): the gateway first (it stops accepting and answers what it holds), then
     * the autoscaler (it resizes the pools), then metering, the worker pools and the dispatcher at once, since none
     * needs another; then the runtime every role shared (its directories), and the management listener last; the
     * caller closes the registry and broker after. Each service's time is logged, to find a slow one.
     */
    @Override
    public void close() {
        long began = System.nanoTime();
        closeRole(Role.GATEWAY);
        closeRole(Role.AUTOSCALER);
        Map<String, Runnable> stops = new LinkedHashMap<>();
        EnumSet.of(Role.METERING, Role.WORKER, Role.DISPATCHER).stream().filter(started::containsKey)
                .forEach(role -> stops.put("ferry-stop-" + role.name().toLowerCase(), () -> closeRole(role)));
        Shutdown.inParallel(stops);
        started.clear();
        if (transactionWatch != null) {
            transactionWatch.close();
            transactionWatch = null;
        }
        if (kafkaHealth != null) {
            kafkaHealth.close();
            kafkaAdmin.close(Duration.ofSeconds(5));
            kafkaHealth = null;
            kafkaAdmin = null;
        }
        // After every role: none closes what it shares, so the directories stop here, once.
        runtime.close();
        // Last: metrics stay scrapeable while the services stop.
        if (management != null) {
            management.close();
            management = null;
        }
        log.info("Platform stopped in {} ms", (System.nanoTime() - began) / 1_000_000);
    }

    private void closeRole(Role role) {
        List<AutoCloseable> services = started.getOrDefault(role, List.of());
        for (int i = services.size() - 1; i >= 0; i--) {
            AutoCloseable service = services.get(i);
            long stepBegan = System.nanoTime();
            try {
                service.close();
            } catch (Exception e) {
                log.warn("Error while stopping {}: {}", service.getClass().getSimpleName(), e.toString());
            }
            log.info("Stopped {} in {} ms", service.getClass().getSimpleName(),
                    (System.nanoTime() - stepBegan) / 1_000_000);
        }
    }
}

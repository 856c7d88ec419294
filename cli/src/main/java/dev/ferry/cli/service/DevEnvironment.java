package dev.ferry.cli.service;

import dev.ferry.cli.CliException;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.config.WorkerConfig;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.functions.FunctionPublisher;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.HangingTransactions;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.net.Urls;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.embedded.EmbeddedKafka;
import dev.ferry.embedded.EmbeddedSchemaRegistry;
import dev.ferry.ingest.Quota;
import dev.ferry.ingest.TenantAdmin;
import dev.ferry.ingest.TopicPatterns;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code ferry dev} and {@code ferry demo} run: the embedded broker and registry (unless an existing cluster
 * is given), the tenant {@code default} with its API key, every service, and the built-in functions.
 */
final class DevEnvironment implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DevEnvironment.class);

    static final String TENANT = "default";
    /** The built-ins every dev user gets, with the settings a local load test needs. */
    static final List<String> BUILT_INS = List.of("echo", "sleep", "wordcount", "sha256", "fail");

    /**
     * The dev broker's index files: 1 MiB, not Kafka's 10 MiB (issue 16). After a SIGKILL the broker checks every
     * partition's index as it loads it, and with 1,000 functions (6,000 partitions) that took 32 s with 10 MiB
     * files and 19 s with 1 MiB ones on a quiet 2-core machine. A segment whose index fills rolls early: with one
     * entry per 4 KiB written, at about 512 MiB, more than a dev machine's segment holds.
     */
    static final String INDEX_SIZE_KEY = "log.index.size.max.bytes";
    static final String INDEX_SIZE = "1048576";
    /**
     * How often the dev broker writes every partition's high watermark to its checkpoint file: 60 s, not Kafka's
     * 5 s (issue 16, idle cost). The write walks every partition, and with 1,000 functions (6,000 partitions) it was
     * the largest single consumer of an idle {@code ferry dev} (40 of 278 JFR samples over 2 minutes, about 14 %).
     * Harmless on a dev broker: the checkpoint is only read when a broker starts, and a partition's leader whose
     * replicas are all in sync moves its high watermark up to the log's end as it takes the lead, so an older
     * checkpoint after a SIGKILL hides nothing (followers of {@code --brokers 3} truncate by leader epoch, not by
     * high watermark).
     */
    static final String HW_CHECKPOINT_KEY = "replica.high.watermark.checkpoint.interval.ms";
    static final String HW_CHECKPOINT_MS = "60000";
    /**
     * How often the dev broker asks members of KIP-848 consumer groups, KIP-932 share groups and KIP-1071 streams
     * groups to heartbeat: every 2 s, not the embedded broker's 500 ms (issue 16, idle cost). Those 500 ms are for
     * tests, which wait for group changes; an idle {@code ferry dev} has three such members (the dispatcher, the
     * autoscaler's policy consumer, the worker's retry forwarder), and their heartbeats were its largest request
     * source: 360 of about 1,300 requests a minute, counted on the broker (JMX {@code RequestsPerSec}); at 2 s, 90.
     * What it costs: a member learns of a change of its group's assignment at its next heartbeat, so a handover
     * between members (an {@code ORDERED} pool scaling between one and more replicas, the replicas left taking over
     * a leaver's partitions, a consumer taking over a dead one's after the 10 s session timeout, as after a SIGKILL)
     * may wait up to 2 s instead of 0.5 s. A first member of an empty group (a pool woken from zero, a service
     * starting) gets its partitions in the answer to its first heartbeat, as before. Kafka's own
     * default is 5 s (with a 45 s session); 2 s keeps five heartbeats within the dev broker's 10 s session, so a
     * member on a busy laptop is not dropped for one late heartbeat. The minimum stays 500 ms, so a group's own
     * {@code consumer.heartbeat.interval.ms} may still ask for less.
     */
    static final List<String> HEARTBEAT_KEYS = List.of("group.consumer.heartbeat.interval.ms",
            "group.share.heartbeat.interval.ms", "group.streams.heartbeat.interval.ms");
    static final String HEARTBEAT_MS = "2000";
    /**
     * How often the dev broker's controller writes a no-op record to its metadata log while nothing else happens:
     * every 5 s, not Kafka's 500 ms (issue 16, start to ready). Kafka writes them so brokers can tell a live
     * controller's metadata from a stale one (KIP-835); dev's one broker is its own controller. At 500 ms they were
     * 7,200 records an hour of uptime, every one replayed at the next start until a snapshot: a data directory used
     * for a day of short sessions had 51,000, 1-1.4 s of its broker's start.
     */
    static final String NO_OP_INTERVAL_KEY = "metadata.max.idle.interval.ms";
    static final String NO_OP_INTERVAL_MS = "5000";
    /**
     * How long the dev broker's controller goes without writing a snapshot of its metadata while the log grows: 10
     * minutes, not Kafka's hour (issue 16, start to ready). A start replays the log from the last snapshot, and dev
     * sessions shorter than an hour never wrote one (Kafka's other trigger, 20 MiB of records, takes days of dev).
     */
    static final String SNAPSHOT_INTERVAL_KEY = "metadata.log.max.snapshot.interval.ms";
    static final String SNAPSHOT_INTERVAL_MS = "600000";
    /** What a look for hanging transactions may take beyond waiting for them to be old enough to abort. */
    static final Duration REPAIR_SLACK = Duration.ofSeconds(20);
    /**
     * The least time between two looks in the background: each describes every partition's producers, and a
     * transaction whose coordinator cannot write its markers (a partition offline) would otherwise be looked at
     * every second.
     */
    static final Duration REPAIR_INTERVAL = Duration.ofSeconds(30);

    private final Path dataDir;
    private EmbeddedKafka kafka;
    /** Metering's state for an in-memory cluster, deleted on close: it would not match the next cluster. */
    private Path ephemeralMeteringDir;
    private EmbeddedSchemaRegistry registry;
    private Platform platform;
    private String apiKey;
    /** Later looks for hanging transactions not old enough at start; {@code null} until one is needed. */
    private ScheduledExecutorService repairs;

    private DevEnvironment(Path dataDir) {
        this.dataDir = dataDir;
    }

    record Settings(Path dataDir, ConnectionOptions connection, int gatewayPort, int kafkaPort, int brokers,
            int registryPort, int meteringPort, long usageWindowMs, long usageGraceMs) {
    }

    static DevEnvironment start(Settings settings, PrintWriter out) {
        return start(settings, out, StartCheck.NONE);
    }

    /**
     * Starts everything, asking {@code check} before each step (the broker, the registry, the look for hanging
     * transactions, the registry wait, each service); on any failure, a stop's {@link StartCheck.Abandoned} included,
     * closes what it has started and throws.
     */
    static DevEnvironment start(Settings settings, PrintWriter out, StartCheck check) {
        DevEnvironment env = new DevEnvironment(settings.dataDir());
        try {
            env.startAll(settings, out, check);
            return env;
        } catch (RuntimeException e) {
            env.close();
            throw e;
        }
    }

    private void startAll(Settings settings, PrintWriter out, StartCheck check) {
        PrivateDirectory.prepare(dataDir);
        Map<String, Object> defaults = new HashMap<>();
        ConnectionOptions connection = settings.connection();
        if (settings.brokers() < 1) {
            throw new CliException("--brokers must be at least 1, was " + settings.brokers(), 2);
        }
        if (connection.externalCluster() && settings.brokers() != 1) {
            throw new CliException("--brokers starts an embedded cluster; it cannot be combined with "
                    + "--bootstrap-servers", 2);
        }
        Map<String, Object> ports = new HashMap<>();
        ports.put(GatewayConfig.PORT, settings.gatewayPort());
        ports.put(MeteringConfig.HTTP_PORT, settings.meteringPort());
        defaults.putAll(ports);
        checkPorts(settings, connection.toConfig(ports));
        check.check();
        if (connection.externalCluster()) {
            if (connection.schemaRegistry == null) {
                throw new CliException("--bootstrap-servers needs --schema-registry too: dev starts no registry "
                        + "when it joins an existing cluster", 2);
            }
            out.println("Joining the Kafka cluster at " + Urls.redact(connection.bootstrapServers));
        } else {
            long began = System.nanoTime();
            // Functions may run up to 15 minutes; let share-group locks cover that (the worker raises a group's
            // lock to its function's timeout), instead of Kafka's 60 s ceiling.
            EmbeddedKafka.Options options = kafkaOptions(settings)
                    .brokerProperty("group.share.max.record.lock.duration.ms", "1000000")
                    .brokerProperty(INDEX_SIZE_KEY, INDEX_SIZE)
                    .brokerProperty(HW_CHECKPOINT_KEY, HW_CHECKPOINT_MS)
                    .brokerProperty(NO_OP_INTERVAL_KEY, NO_OP_INTERVAL_MS)
                    .brokerProperty(SNAPSHOT_INTERVAL_KEY, SNAPSHOT_INTERVAL_MS);
            for (String key : HEARTBEAT_KEYS) {
                options = options.brokerProperty(key, HEARTBEAT_MS);
            }
            kafka = EmbeddedKafka.start(options);
            out.printf("  %-11s started in %d ms%n", "kafka", (System.nanoTime() - began) / 1_000_000);
            check.check();
            registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), settings.registryPort());
            out.printf("  %-11s started%n", "registry");
            out.flush();
            defaults.put(FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            defaults.put(FerryConfig.SCHEMA_REGISTRY_URL, registry.url());
        }
        Path tenants = dataDir.resolve("tenants.json");
        apiKey = ensureDevTenant(tenants);
        defaults.put(GatewayConfig.TENANTS_FILE, tenants.toString());
        defaults.put(MeteringConfig.WINDOW_MS, settings.usageWindowMs());
        defaults.put(MeteringConfig.GRACE_MS, settings.usageGraceMs());
        defaults.put(MeteringConfig.STATE_DIR, meteringStateDir().toString());
        // Everything runs on this machine, so HTTP functions may call it (issue 12 refuses loopback elsewhere).
        defaults.put(WorkerConfig.HTTP_EGRESS_ALLOW, "127.0.0.0/8,::1");
        FerryConfig config = connection.toConfig(defaults);
        if (kafka != null && persistent()) {
            check.check();
            abortHangingTransactions(config, out);
        }
        check.check();

        // The built-ins are deployed through the runtime the services share, beside their start (issue 16: metering's
        // Kafka Streams, the last service to be ready, started only after the function directory had loaded and
        // every missing built-in was deployed, 0.5 s at a restart and 1-2 s on a fresh directory). The services
        // take functions deployed while they run, as any deploy; the gateway is ready only once it sees every
        // built-in, so a user who waits for /readyz never gets "No function 'echo'".
        FerryRuntime runtime = FerryRuntime.create(config);
        if (kafka != null) {
            // The controllers' listener is no client's, so no setting names it: HTTP functions, which dev lets
            // call loopback, must not reach it either (a tester's function did).
            for (String controller : kafka.bootstrapControllers().split(",")) {
                Integer port = Utils.getPort(controller.trim());
                if (port != null) {
                    runtime.platformPorts().add(port);
                }
            }
        }
        try {
            Platform.awaitRegistry(runtime, check); // before the directory reads a record through it
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        CompletableFuture<Void> builtInsDeployed = CompletableFuture.runAsync(() -> deployBuiltIns(runtime),
                runnable -> daemon(runnable, "ferry-dev-built-ins").start());
        Set<FunctionRef> builtIns = BUILT_INS.stream().map(name -> new FunctionRef(TENANT, name))
                .collect(Collectors.toSet());
        // The platform takes the runtime over and closes it after its services, also when it fails to start: then
        // the deploys fail with it, and what stopped the start is what is said.
        try {
            platform = Platform.start(runtime, EnumSet.allOf(Platform.Role.class), null, out, builtIns, check);
        } catch (RuntimeException e) {
            try {
                join(builtInsDeployed);
            } catch (RuntimeException deployFailure) {
                e.addSuppressed(deployFailure);
            }
            throw e;
        }
        join(builtInsDeployed);
    }

    /** Waits for {@code work}; its failure is thrown as it was, not wrapped. */
    private static void join(CompletableFuture<Void> work) {
        try {
            work.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Aborts the transactions a SIGKILL left open on the embedded broker's partitions that no coordinator will ever
     * end (KIP-664; docs/design.md, "Hanging transactions"), before any service reads: this process owned the broker
     * and died with it, and a {@code read_committed} reader (metering, result tails, triggers) never reads past such
     * a transaction. Those a Ferry producer left are old enough to abort within Ferry's transaction timeout and are
     * waited for; any other (Kafka's {@code transaction.max.timeout.ms}) is looked at again once old enough, in the
     * background.
     */
    private void abortHangingTransactions(FerryConfig config, PrintWriter out) {
        Duration budget = HangingTransactions.ferryTimeout(config).plus(REPAIR_SLACK);
        long began = System.nanoTime();
        HangingTransactions.Report report = repairOnce(config, budget);
        log.info("Looked for hanging transactions on {} partitions in {} ms: aborted {}{}", report.partitions(),
                (System.nanoTime() - began) / 1_000_000, report.aborted().size(),
                report.complete() ? "" : " (not finished, see the warning above)");
        if (!report.aborted().isEmpty()) {
            out.printf("  %-11s aborted %d hanging transaction(s) a crash left open (see the log)%n", "kafka",
                    report.aborted().size());
            out.flush();
        }
        report.pending().ifPresent(when -> scheduleRepair(config, when));
    }

    private HangingTransactions.Report repairOnce(FerryConfig config, Duration budget) {
        try (Admin admin = new KafkaClients(config).admin("ferry-dev-hanging-transactions")) {
            return HangingTransactions.forFerry(admin, config).repair(budget);
        }
    }

    private synchronized void scheduleRepair(FerryConfig config, Instant when) {
        if (repairs == null) {
            repairs = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ferry-dev-hanging-transactions"));
        }
        long delayMs = Math.max(REPAIR_INTERVAL.toMillis(), Duration.between(Instant.now(), when).toMillis() + 1_000);
        log.info("Open transactions no coordinator runs are looked at again in {} s, once old enough to abort",
                delayMs / 1_000);
        repairs.schedule(() -> {
            HangingTransactions.Report report = repairOnce(config, REPAIR_SLACK);
            report.pending().ifPresent(next -> scheduleRepair(config, next));
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /**
     * One broker keeps its data in {@code <data-dir>/kafka} on the chosen port. Several brokers are a fresh cluster
     * formatted in a temporary directory on free ports every time: that mode reuses no data directory, and says it
     * keeps nothing (see {@link #persistent()}).
     */
    private EmbeddedKafka.Options kafkaOptions(Settings settings) {
        if (settings.brokers() == 1) {
            return EmbeddedKafka.Options.defaults().dataDir(dataDir.resolve("kafka")).port(settings.kafkaPort());
        }
        return EmbeddedKafka.Options.defaults().brokers(settings.brokers());
    }

    /**
     * Fails at once when a port this process will listen on is taken: the services' ports as configured (the
     * options, then {@code --set}), and the embedded broker's and registry's.
     */
    private static final Platform.PortOptions DEV_PORT_OPTIONS = new Platform.PortOptions("--port", "--metering-port",
            "--set management.port=N (-1: none)");

    private static void checkPorts(Settings settings, FerryConfig config) {
        PortCheck check = Platform.servicePorts(config, EnumSet.allOf(Platform.Role.class), DEV_PORT_OPTIONS);
        if (!settings.connection().externalCluster()) {
            if (settings.brokers() == 1) {
                check.add(settings.kafkaPort(), "embedded Kafka broker", "--kafka-port");
            }
            check.add(settings.registryPort(), "embedded schema registry", "--registry-port");
        }
        check.requireFree();
    }

    /**
     * Metering's Kafka Streams state next to a persistent broker; a temporary one for an in-memory cluster, whose
     * changelog topics vanish with it (stale local state would point at offsets the next cluster never had).
     */
    private Path meteringStateDir() {
        if (persistent()) {
            return dataDir.resolve("metering");
        }
        try {
            ephemeralMeteringDir = Files.createTempDirectory("ferry-dev-metering");
            return ephemeralMeteringDir;
        } catch (IOException e) {
            throw new CliException("cannot create a temporary directory for metering: " + e.getMessage());
        }
    }

    /** Whether the Kafka data (functions, invocations, usage) outlives this process: not for a multi-broker cluster. */
    boolean persistent() {
        return kafka == null || kafka.brokerCount() == 1;
    }

    /** The embedded cluster, or {@code null} when dev joined an existing one. */
    EmbeddedKafka kafka() {
        return kafka;
    }

    /**
     * The dev tenant's key: created once with generous quotas, then read back from {@code <data-dir>/api-key}. The
     * tenant may use every topic but Ferry's own in triggers (DESIGN, "Triggers"; no pattern allows Ferry's topics);
     * set at each start where unset, so a data directory from before triggers gets it too.
     */
    private String ensureDevTenant(Path tenantsFile) {
        TenantAdmin admin = new TenantAdmin(tenantsFile);
        String key = devKey(admin);
        if (admin.topics(TENANT).map(TopicPatterns::isEmpty).orElse(true)) {
            admin.setTopics(TENANT, List.of("*"));
        }
        return key;
    }

    private String devKey(TenantAdmin admin) {
        Path keyFile = dataDir.resolve("api-key");
        Quota generous = new Quota(5_000.0, 10_000, 2_000, null, null);
        String key;
        if (!admin.tenants().contains(TENANT)) {
            key = admin.createTenant(TENANT, generous);
        } else if (Files.isReadable(keyFile) && admin.tenantOf(readKey(keyFile)).filter(TENANT::equals).isPresent()) {
            return readKey(keyFile);
        } else {
            key = admin.createKey(TENANT);
        }
        writeKey(keyFile, key);
        return key;
    }

    /**
     * Deploys the built-ins the directory does not hold yet, all at once: one after another they took 3 of the 11 s
     * a fresh {@code ferry dev} took to be ready (issue 16; each waits for its work topic's leader and its share
     * group's settings).
     */
    private void deployBuiltIns(FerryRuntime runtime) {
        FunctionDirectory directory = runtime.functions();
        List<String> missing = BUILT_INS.stream()
                .filter(name -> directory.get(new FunctionRef(TENANT, name)).isEmpty()).toList();
        if (missing.isEmpty()) {
            return;
        }
        ExecutorService deployers = Executors.newFixedThreadPool(missing.size(),
                r -> daemon(r, "ferry-dev-built-in"));
        try (FunctionPublisher publisher = new FunctionPublisher(runtime.clients(), runtime.topics(),
                runtime.serdes().serializer(FunctionSpec.class))) {
            List<CompletableFuture<Void>> deploys = missing.stream()
                    .map(name -> CompletableFuture.runAsync(() -> publisher.deploy(builtIn(name)), deployers))
                    .toList();
            join(CompletableFuture.allOf(deploys.toArray(CompletableFuture[]::new)));
        } finally {
            deployers.shutdownNow();
        }
    }

    static FunctionSpec builtIn(String name) {
        FunctionSpec.Builder spec = FunctionSpecs.builder(TENANT, name, Runtime.JAVA, name)
                .setMaxReplicas(8).setTargetLagPerReplica(20);
        return switch (name) {
            case "sleep" -> spec.setConcurrency(4).setMemoryMb(256).build();
            case "fail" -> spec.setMaxAttempts(2).build();
            default -> spec.setConcurrency(8).build();
        };
    }

    Platform platform() {
        return platform;
    }

    String apiKey() {
        return apiKey;
    }

    String kafkaDescription() {
        if (kafka == null) {
            return Urls.redact(platform.config().bootstrapServers());
        }
        if (!persistent()) {
            return kafka.bootstrapServers() + " (" + kafka.brokerCount() + " brokers in memory: topics are not kept)";
        }
        return kafka.bootstrapServers() + " (data in " + dataDir.resolve("kafka") + ")";
    }

    java.nio.file.Path dataDirKeyFile() {
        return dataDir.resolve("api-key");
    }

    String registryUrl() {
        return String.join(",", platform.config().schemaRegistryUrls());
    }

    private static String readKey(Path keyFile) {
        try {
            return Files.readString(keyFile).trim();
        } catch (IOException e) {
            throw new CliException("cannot read " + keyFile + ": " + e.getMessage());
        }
    }

    private static void writeKey(Path keyFile, String key) {
        try {
            Files.writeString(keyFile, key + "\n");
            try {
                Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's own permissions protect it
            }
        } catch (IOException e) {
            throw new CliException("cannot write the API key to " + keyFile + ": " + e.getMessage());
        }
    }

    /** The platform first, then what it stands on: the registry, then the broker. */
    @Override
    public void close() {
        synchronized (this) {
            if (repairs != null) {
                repairs.shutdownNow();
            }
        }
        if (platform != null) {
            platform.close();
        }
        if (registry != null) {
            long began = System.nanoTime();
            registry.close();
            log.info("Stopped the schema registry in {} ms", (System.nanoTime() - began) / 1_000_000);
        }
        if (kafka != null) {
            long began = System.nanoTime();
            kafka.close();
            log.info("Stopped the embedded broker in {} ms", (System.nanoTime() - began) / 1_000_000);
        }
        if (ephemeralMeteringDir != null) {
            deleteTree(ephemeralMeteringDir);
        }
    }

    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless; the OS cleans its temp dir
        }
    }
}

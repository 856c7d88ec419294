package dev.ferry.core.runtime;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.functions.PoolWakeups;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.StuckTransactions;
import dev.ferry.core.kafka.TailOffsets;
import dev.ferry.core.net.EgressPolicy;
import dev.ferry.core.net.PlatformPorts;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerDirectory;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.schemas.registry.RestSchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every Ferry service of one process shares (issue 13): the typed {@link FerryConfig}, one
 * {@link KafkaClients} factory, one {@link TopicCatalog}, one {@link AvroSerdes} over one schema registry client (so
 * a schema is fetched from the registry once per process, not once per service), and one live
 * {@link FunctionDirectory} and {@link TriggerDirectory}, each one reader thread and one consumer following its
 * compacted topic, however many services ask. {@code ferry dev} used to hold four directories of
 * {@code ferry.functions} and about seven registry clients.
 *
 * <p>Build one per process, hand it to every service, and close it after all of them:
 *
 * <pre>{@code
 * try (FerryRuntime runtime = FerryRuntime.create(config)) {
 *     Dispatcher dispatcher = new Dispatcher(runtime).start();
 *     Gateway gateway = new Gateway(runtime).start();
 *     ...
 *     gateway.close();
 *     dispatcher.close();
 * }   // the runtime last: it stops the directories the services followed
 * }</pre>
 *
 * <p>Ownership: the runtime owns the directories and the registry client; a service given a runtime uses them and
 * never closes them (it removes its own directory listeners when it stops). A service built from a bare
 * {@code FerryConfig} builds a private runtime and closes it when it closes, so there is one way things are built.
 * The catalog and serdes hold no threads or connections; the directories and the admin client on which the
 * factory's topic tails list their end offsets ({@link TailOffsets}, made at the first lookup) are the only things
 * {@link #close()} stops.
 *
 * <p>The directories start on first use ({@link #functions()}, {@link #triggers()}): a process without a service
 * that reads triggers never follows {@code ferry.triggers}. First use also waits, up to {@link #DIRECTORY_LOAD}, for
 * the directory to read its topic to the end, so a caller sees every deploy acknowledged before it asked; past that
 * it gets the directory still loading (its {@code readiness()} says so) and a warning is logged. Thread-safe.
 */
public final class FerryRuntime implements AutoCloseable {

    /** How long the first use of a directory waits for it to read its topic to the end. */
    public static final Duration DIRECTORY_LOAD = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(FerryRuntime.class);

    private final FerryConfig config;
    private final KafkaClients clients;
    /** Where every topic tail of the process lists its end offsets: one admin client, made at the first lookup. */
    private final TailOffsets tailOffsets;
    private final TopicCatalog topics;
    private final AvroSerdes serdes;
    private final PoolWakeups wakeups = new PoolWakeups();
    private final RegistryWatch registryWatch;
    private final PlatformPorts platformPorts;
    private FunctionDirectory functions;
    private TriggerDirectory triggers;
    private boolean closed;

    private FerryRuntime(FerryConfig config, SchemaRegistryClient registry) {
        this.config = Objects.requireNonNull(config, "config");
        this.tailOffsets = TailOffsets.create(config, "ferry-tail-offsets");
        this.clients = new KafkaClients(config, tailOffsets);
        this.topics = new TopicCatalog(config);
        this.serdes = new AvroSerdes(Objects.requireNonNull(registry, "registry"), config);
        this.registryWatch = new RegistryWatch(registry, config.schemaRegistryUrls());
        this.platformPorts = PlatformPorts.of(config.platformPorts());
    }

    /**
     * A runtime for {@code config}, with a registry client for its {@code schema.registry.url} (and credentials).
     * Connects to nothing yet: Kafka and the registry are first reached when a service or directory starts.
     */
    public static FerryRuntime create(FerryConfig config) {
        return new FerryRuntime(config, RestSchemaRegistryClient.fromConfig(config.schemaRegistryProperties()));
    }

    /** A runtime over a given registry client (a test's in-memory one, or one shared with a tool). */
    public static FerryRuntime create(FerryConfig config, SchemaRegistryClient registry) {
        return new FerryRuntime(config, registry);
    }

    public FerryConfig config() {
        return config;
    }

    /** The process's Kafka client factory; every client it builds is the caller's to close. */
    public KafkaClients clients() {
        return clients;
    }

    public TopicCatalog topics() {
        return topics;
    }

    /** The process's serdes, all over {@link #registry()}. */
    public AvroSerdes serdes() {
        return serdes;
    }

    /**
     * The process's wake signal (issue 16): its dispatcher tells its autoscaler, directly, that a pool at zero
     * replicas was given work. Holds no threads.
     */
    public PoolWakeups wakeups() {
        return wakeups;
    }

    /**
     * The ports Ferry listens on ({@link FerryConfig#platformPorts()}), to which each listener of this process adds
     * the port it bound: HTTP functions may not call them on the worker's own host.
     */
    public PlatformPorts platformPorts() {
        return platformPorts;
    }

    /**
     * Where this process's HTTP functions may send calls: {@code worker.http.egress.allow}'s policy, refusing the
     * platform's own ports on the worker's host whatever it allows ({@link #platformPorts()}).
     */
    public EgressPolicy httpEgress() {
        return config.worker().httpEgress().withPlatformPorts(platformPorts);
    }

    /**
     * The process's watch of hanging transactions on its platform topics ({@link StuckTransactions}), on the admin
     * client of its topic tails' end-offset lookups. A new watch each call, to ask from one thread.
     */
    public StuckTransactions stuckTransactions() {
        return StuckTransactions.forFerry(tailOffsets::stableAndHighOffsets, config);
    }

    /** The process's one schema registry client. */
    public SchemaRegistryClient registry() {
        return serdes.registry();
    }

    /**
     * Whether the process's schema registry is lost, as its users found, and when it answers again: the one the
     * worker's replicas wait on instead of dead-lettering what they cannot decode without it. Holds a thread only
     * while the registry is lost (it asks the registry once a second until it answers).
     */
    public RegistryWatch registryWatch() {
        return registryWatch;
    }

    /**
     * The process's live copy of {@code ferry.functions}: started (creating the topic if missing) and waited for on
     * the first call, then the same instance on every call. Owned by this runtime: do not close it.
     *
     * @throws dev.ferry.core.FerryException when the topic cannot be created or read (the next call tries again)
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized FunctionDirectory functions() {
        requireOpen();
        if (functions == null) {
            FunctionDirectory created = new FunctionDirectory(clients, topics,
                    serdes.deserializer(FunctionSpec.class));
            startOrClose(created::start, created);
            functions = created;
            if (!created.awaitCaughtUp(DIRECTORY_LOAD)) {
                log.warn("The function directory has not read {} to its end after {} s; it keeps loading",
                        topics.functions(), DIRECTORY_LOAD.toSeconds());
            }
        }
        return functions;
    }

    /**
     * The process's live copy of {@code ferry.triggers}, as {@link #functions()}: started and waited for on the
     * first call, owned by this runtime.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized TriggerDirectory triggers() {
        requireOpen();
        if (triggers == null) {
            TriggerDirectory created = new TriggerDirectory(clients, topics, serdes.deserializer(TriggerSpec.class));
            startOrClose(created::start, created);
            triggers = created;
            if (!created.awaitCaughtUp(DIRECTORY_LOAD)) {
                log.warn("The trigger directory has not read {} to its end after {} s; it keeps loading",
                        topics.triggers(), DIRECTORY_LOAD.toSeconds());
            }
        }
        return triggers;
    }

    /** A directory that failed to start is closed, so the next call starts a fresh one. */
    private static void startOrClose(Runnable start, AutoCloseable directory) {
        try {
            start.run();
        } catch (RuntimeException e) {
            closeQuietly(directory);
            throw e;
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("The Ferry runtime is closed");
        }
    }

    /**
     * Stops the directories (their reader threads and consumers), then closes the tails' end-offset lookups. Close it
     * after every service that uses it; safe to call twice.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(triggers);
        closeQuietly(functions);
        closeQuietly(tailOffsets);
        registryWatch.close();
        triggers = null;
        functions = null;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("Error while closing {}: {}", closeable.getClass().getSimpleName(), e.toString());
        }
    }
}

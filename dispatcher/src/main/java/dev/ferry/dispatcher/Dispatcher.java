package dev.ferry.dispatcher;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.DispatcherConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.functions.Wakeups;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.GroupPolls;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.ResultRecords;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.metrics.FerryMetrics;
import dev.ferry.core.runtime.FerryRuntime;
import dev.ferry.core.runtime.RegistryCheck;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.dispatcher.internal.DispatchLoop;
import dev.ferry.dispatcher.internal.DispatchMeters;
import dev.ferry.dispatcher.internal.FreshLookup;
import dev.ferry.dispatcher.internal.LagView;
import dev.ferry.dispatcher.internal.RecordRouter;
import dev.ferry.dispatcher.internal.RequestValidator;
import dev.ferry.dispatcher.internal.StepOut;
import dev.ferry.dispatcher.internal.WorkRoutes;
import dev.ferry.dispatcher.internal.WorkSubjects;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.LagSample;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher service: reads {@code ferry.invocations} in group {@code ferry-dispatcher}, checks each invocation,
 * and writes it to its function's work topic on the partition its {@link PartitionStrategy} picks, exactly once.
 * An invocation that cannot be run (unknown function, deadline passed, payload too large) is answered with a
 * REJECTED result on {@code ferry.results}; a record that cannot even be read goes to {@code ferry.dlq}.
 *
 * <p>Run as many instances as {@code ferry.invocations} has partitions; each needs its own stable
 * {@code dispatcher.transactional.id} (derived from the host name when empty), so a restarted instance fences its
 * crashed predecessor. An instance writes with two transactional producers, {@code <id>} and {@code <id>-alt}, taken
 * in turn per transaction (issue 16, part 3; {@link DispatchLoop}). {@link #start()} returns once the function
 * directory is loaded and routing has begun; {@link #close()} finishes the open transaction and leaves the group.
 */
public final class Dispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    /** Short, so a crashed instance's open transaction stalls read_committed readers for seconds, not a minute. */
    static final int DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000;
    static final int DEFAULT_MAX_POLL_RECORDS = 2_000;
    /**
     * Right after a commit the coordinator is still writing the previous transaction's markers, so the next
     * transaction's first call is answered CONCURRENT_TRANSACTIONS and retried after {@code retry.backoff.ms}.
     * Kafka's 100 ms default put two such waits on the p99 of every synchronous invocation (JFR: 91 ms per batch
     * in sendOffsetsToTransaction). Under load the transactions follow each other back to back, so every one of
     * them waits once: a probe of 800 back-to-back transactions (one record, the offsets, the commit; one broker)
     * took p50 16-24 ms at 10 ms and 10.5-13 ms at 2 ms, against 7-8 ms with a 20 ms pause between them (issue 16,
     * part 3). The retry is one small request to the coordinator, and Kafka's exponential backoff (KIP-580) still
     * spaces out the retries of a coordinator that stays busy.
     */
    static final int DEFAULT_RETRY_BACKOFF_MS = 2;
    /**
     * No linger: a batch's records go out while {@code sendOffsetsToTransaction} does its two round trips (it
     * blocks), instead of waiting for the commit's flush after them; batching needs no linger here, the commit
     * sends whatever is left in one go (issue 16, part 3).
     */
    static final int DEFAULT_LINGER_MS = 0;
    /**
     * Transactional producers of an instance, taken in turn per transaction: a transaction begun on the producer that
     * just committed waits for its coordinator to finish the last one's markers (CONCURRENT_TRANSACTIONS, retried),
     * on every transaction while batches follow each other (issue 16, part 3; {@link DispatchLoop}).
     */
    static final int PRODUCERS = 2;
    private static final Duration DIRECTORY_LOAD_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration LAG_CATCH_UP = Duration.ofSeconds(10);
    private static final Duration UNKNOWN_FUNCTION_GRACE = Duration.ofSeconds(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** How often a fenced instance asks whether the other instance with its transactional.id is still there. */
    static final Duration FENCED_CHECK = Duration.ofSeconds(2);

    private final FerryConfig config;
    private final FerryRuntime runtime;
    /** Whether {@link #runtime} is this dispatcher's own, built from a bare configuration, to close with it. */
    private final boolean ownsRuntime;
    private final Clock clock;
    private final KafkaClients clients;
    private final TopicCatalog topics;
    private final String transactionalId;
    private Admin admin;
    private FunctionDirectory directory;
    /** Soft-deletes a deleted function's work subject (tester 14A, finding 10); follows {@link #directory}. */
    private WorkSubjects workSubjects;
    private LagView lagView;
    /** {@value #PRODUCERS} transactional producers, taken in turn per transaction (issue 16, part 3). */
    private List<KafkaProducer<byte[], byte[]>> producers = List.of();
    private KafkaConsumer<byte[], byte[]> consumer;
    private volatile DispatchLoop loop;
    private volatile Thread thread;
    private volatile boolean closing;
    /** Why this instance waits after a fence (what to do about it), or null. */
    private volatile String fencedNote;

    /** A dispatcher with a runtime of its own, closed with it: for a process that runs nothing else, and tests. */
    public Dispatcher(FerryConfig config) {
        this(config, Clock.systemUTC());
    }

    /** As {@link #Dispatcher(FerryConfig)}; {@code clock} as in {@link #Dispatcher(FerryRuntime, Clock)}. */
    public Dispatcher(FerryConfig config, Clock clock) {
        this(FerryRuntime.create(config), true, clock);
    }

    /** A dispatcher of the process that {@code runtime} serves; it follows the runtime's function directory. */
    public Dispatcher(FerryRuntime runtime) {
        this(runtime, Clock.systemUTC());
    }

    /** @param clock the time deadlines are checked against and results are stamped with */
    public Dispatcher(FerryRuntime runtime, Clock clock) {
        this(runtime, false, clock);
    }

    private Dispatcher(FerryRuntime runtime, boolean ownsRuntime, Clock clock) {
        this.runtime = runtime;
        this.ownsRuntime = ownsRuntime;
        this.config = runtime.config();
        this.clock = clock;
        this.clients = runtime.clients();
        this.topics = runtime.topics();
        String configured = config.dispatcher().transactionalId();
        this.transactionalId = configured.isBlank() ? derivedId(topics.dispatcherGroup(), config) : configured;
    }

    /**
     * The default {@code dispatcher.transactional.id}: the group, the host name and the management port
     * ({@code ferry-dispatcher-web-1-9400}), stable across restarts and distinct for instances sharing a host, which
     * cannot share a management port. Before, it was the host alone, and a second dispatcher started on the host of a
     * {@code ferry dev} fenced dev's for good (a tester, session 10). With the management listener off or on a port
     * chosen at start, a random suffix: such an instance does not fence a crashed predecessor (whose open transaction
     * then holds read_committed readers up to the transaction timeout, 10 s), so it is logged.
     */
    private static String derivedId(String group, FerryConfig config) {
        int port = config.management().enabled() ? config.management().port() : 0;
        if (port > 0) {
            return group + "-" + hostName() + "-" + port;
        }
        String id = group + "-" + hostName() + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        log.warn("dispatcher.transactional.id derived as {}, with a random suffix since the management listener has "
                + "no fixed port: a restart will not fence a crashed predecessor; set dispatcher.transactional.id "
                + "(unique per instance, stable across its restarts)", id);
        return id;
    }

    /**
     * Every class of {@value DispatcherConfig#PARTITION_STRATEGY_CLASSES} must be a strategy this dispatcher can
     * build: the gateway accepts deployments naming them without seeing this class path, so a wrong entry is said
     * at start, not at each call of such a function.
     */
    private void checkStrategyClasses() {
        for (String name : config.dispatcher().partitionStrategyClasses()) {
            if (PartitionStrategies.create(name, new SplittableRandom()).isEmpty()) {
                throw new FerryException("Dispatcher " + transactionalId + ": " + name + " of "
                        + DispatcherConfig.PARTITION_STRATEGY_CLASSES + " is not a PartitionStrategy on its class path");
            }
        }
    }

    /**
     * The transactional.id of this instance, its first producer's; the second's is {@code <id>-alt}. Also the
     * instance's name in logs and client ids.
     */
    public String transactionalId() {
        return transactionalId;
    }

    /**
     * Creates the platform topics if missing, loads the function directory, fences any earlier instance with the
     * same transactional.id, and starts routing on a thread of its own.
     *
     * Waits first, up to {@code schema.registry.wait.ms}, for the schema registry to answer ({@link RegistryCheck}):
     * an instance that cannot read the invocations must not take partitions of them (a tester, session 12).
     *
     * @throws FerryException when the cluster or the registry cannot be reached
     *     ({@link RegistryCheck.RegistryUnavailableException}), or the directory does not load
     */
    public synchronized Dispatcher start() {
        if (thread != null) {
            return this;
        }
        try {
            RegistryCheck.await(runtime.registry(), config.schemaRegistryUrls(), config.schemaRegistryWait());
            // The results it writes itself (refusals) without the registry from now on; a work topic's requests are
            // per function, asked at its first call (a lost registry then makes the instance step out).
            runtime.serdes().prepare(Map.of(topics.results(), InvocationResult.class));
            // The subject of what it reads, which outside producers write too: guarded, with its own reader schema
            // registered there, so the registry refuses any request schema this dispatcher could not read.
            runtime.serdes().prepareInput(topics.invocations(), InvocationRequest.class);
            open();
        } catch (RuntimeException e) {
            closeClients();
            throw e instanceof FerryException ? e
                    : new FerryException("Dispatcher " + transactionalId + " could not start: " + e.getMessage(), e);
        }
        thread = new Thread(this::route, "ferry-dispatcher-" + transactionalId);
        thread.start();
        log.info("[{}] Dispatcher routing {} ({} functions known, default strategy {})", transactionalId,
                topics.invocations(), directory.all().size(), config.dispatcher().partitionStrategy());
        return this;
    }

    /**
     * Runs the routing loop. A loop fenced by another instance with this transactional.id (a restart of this one, or
     * a second instance configured alike) does not end routing for good: this instance waits, unready, until no other
     * member of the dispatcher group has its client id, and then routes again (a tester, session 10: a stray second
     * dispatcher stopped, and the first still routed nothing until its process was restarted). Any other failure ends
     * routing.
     */
    private void route() {
        DispatchLoop current = loop;
        while (true) {
            current.run();
            Throwable failure = current.failure();
            if (failure == null || closing) {
                return;
            }
            if (!fenced(failure)) {
                closeAfterFailure();
                return;
            }
            DispatchLoop next = retakeAfterFence();
            if (next == null) {
                return;
            }
            current = next;
        }
    }

    /** Whether another producer with this instance's transactional.id took it over. */
    static boolean fenced(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    /**
     * After a fence: closes this instance's clients, waits until no other member of the dispatcher group has this
     * instance's client id (checked every {@link #FENCED_CHECK}), then opens new ones, whose producers fence the
     * other's in turn. Null when closed meanwhile.
     */
    private DispatchLoop retakeAfterFence() {
        synchronized (this) {
            if (closing) {
                return null;
            }
            closeRouting();
            fencedNote = "fenced by another dispatcher with dispatcher.transactional.id " + transactionalId
                    + " (a second instance configured alike, or this one's restart): give each instance its own id; "
                    + "this one routes again once no other member of group " + topics.dispatcherGroup()
                    + " has client id " + clientId();
        }
        log.error("[{}] Dispatcher {}", transactionalId, fencedNote);
        try (Admin check = clients.admin(clientId() + "-fenced")) {
            while (!closing) {
                try {
                    if (!otherInstanceAlive(check)) {
                        synchronized (this) {
                            if (closing) {
                                return null;
                            }
                            open();
                            fencedNote = null;
                        }
                        log.warn("[{}] No other dispatcher with this transactional.id is left: routing again",
                                transactionalId);
                        return loop;
                    }
                } catch (RuntimeException e) {
                    log.warn("[{}] Cannot take routing back yet ({}); trying again in {} s", transactionalId,
                            e.toString(), FENCED_CHECK.toSeconds());
                    synchronized (this) {
                        closeRouting();
                    }
                }
                pauseUnlessClosing(FENCED_CHECK);
            }
        }
        return null;
    }

    private boolean otherInstanceAlive(Admin admin) {
        String group = topics.dispatcherGroup();
        try {
            return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(30, TimeUnit.SECONDS).members().stream()
                    .anyMatch(member -> member.clientId().equals(clientId()));
        } catch (ExecutionException | TimeoutException e) {
            throw new FerryException("Cannot describe group " + group + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted describing group " + group, e);
        }
    }

    private void pauseUnlessClosing(Duration pause) {
        long until = System.nanoTime() + pause.toNanos();
        try {
            while (!closing && System.nanoTime() - until < 0) {
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String clientId() {
        return "ferry-dispatcher-" + transactionalId;
    }

    private void open() {
        checkStrategyClasses();
        AvroSerdes serdes = runtime.serdes();
        String clientId = clientId();
        admin = clients.admin(clientId + "-admin");
        TopicProvisioner provisioner = new TopicProvisioner(admin);
        provisioner.ensure(topics.platformTopics());

        directory = runtime.functions();
        if (!directory.awaitCaughtUp(DIRECTORY_LOAD_TIMEOUT)) {
            throw new FerryException("Dispatcher " + transactionalId + " could not load " + topics.functions()
                    + " within " + DIRECTORY_LOAD_TIMEOUT.toSeconds() + " s");
        }
        workSubjects = new WorkSubjects(directory::get, topics, serdes);
        directory.addListener(workSubjects);
        lagView = new LagView(clients, topics, serdes.deserializer(LagSample.class), clock).start(clientId + "-lag",
                LAG_CATCH_UP);

        List<KafkaProducer<byte[], byte[]>> opened = new ArrayList<>(PRODUCERS);
        producers = opened; // closed by closeClients() if a later one does not start
        for (int i = 0; i < PRODUCERS; i++) {
            KafkaProducer<byte[], byte[]> producer = clients.producer(i == 0 ? clientId : clientId + "-" + i,
                    new ByteArraySerializer(), new ByteArraySerializer(),
                    producerOverrides(producerTransactionalId(i)));
            opened.add(producer);
            producer.initTransactions();
        }
        consumer = clients.consumer(topics.dispatcherGroup(), clientId, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), consumerOverrides());

        SplittableRandom random = new SplittableRandom();
        FreshLookup lookup = new FreshLookup(directory::get, this::catalogEnd, UNKNOWN_FUNCTION_GRACE);
        WorkRoutes routes = new WorkRoutes(topics, provisioner::ensure, config.dispatcher().partitionStrategy(),
                config.dispatcher().partitionStrategyClasses(), random);
        LagView lags = lagView;
        Wakeups wakeups = new Wakeups(topics.wakeups(), lags::replicas, runtime.wakeups(), clock);
        RecordRouter router = new RecordRouter(topics, serdes.deserializer(InvocationRequest.class),
                serdes.serializer(InvocationRequest.class), serdes.serializer(InvocationResult.class),
                new RequestValidator(lookup, config.dispatcher().maxPayloadBytes()), routes, lagView::load, clock,
                maxRecordBytes(clientId), ResultRecords.of(topics, admin), wakeups);
        loop = new DispatchLoop(consumer, opened, router::route, () -> {
            lookup.newBatch();
            wakeups.newBatch();
        }, topics.invocations(), topics.dlq(), transactionalId,
                // Neither a reply copy nor a wakeup is an invocation forwarded: not counted.
                new DispatchMeters(FerryMetrics.registry(), topics.results(), topics.dlq(),
                        topic -> topics.isReplyTopic(topic) || topic.equals(topics.wakeups())))
                .onCommitted(wakeups::committed)
                .steppingOut(new StepOut(config.dispatcher().stepOutFailures(), config.dispatcher().stepOutWindow(),
                        System::nanoTime), () -> RegistryCheck.problem(runtime.registry()));
    }

    /**
     * The transactional.id of producer {@code index}: the instance's own for the first, {@code <id>-alt} for the
     * second, which takes every other transaction ({@link DispatchLoop}). A restart fences both.
     */
    private String producerTransactionalId(int index) {
        return index == 0 ? transactionalId : transactionalId + "-alt";
    }

    /** The largest record the producer sends, and the brokers accept on topics Ferry creates. */
    private int maxRecordBytes(String clientId) {
        Object producerLimit = clients.producerProperties(clientId, producerOverrides(transactionalId))
                .get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return Math.min(Integer.parseInt(String.valueOf(producerLimit)), config.topics().maxMessageBytes());
    }

    /** The end offset of ferry.functions: it moves with every deploy and removal. */
    private long catalogEnd() {
        TopicPartition catalog = new TopicPartition(topics.functions(), 0);
        try {
            return admin.listOffsets(Map.of(catalog, OffsetSpec.latest())).partitionResult(catalog)
                    .get(5, TimeUnit.SECONDS).offset();
        } catch (ExecutionException | TimeoutException e) {
            throw new FerryException("Cannot read the end offset of " + catalog + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted reading the end offset of " + catalog, e);
        }
    }

    /**
     * Larger batches than the consumer's default 500: each batch is one transaction, whose fixed cost (offset
     * commit, end marker on every partition written) dominates at 500 records; 2,000 roughly doubled throughput
     * on a laptop. The fetch buffer still bounds the bytes held. An operator's kafka.max.poll.records wins.
     */
    private Map<String, Object> consumerOverrides() {
        // An idle dispatcher's fetch is held 5 s, not 500 ms, and its polls wake once a second, not ten times (issue
        // 16, idle cost; GroupPolls.idleMember).
        if (config.kafkaClientProperties().containsKey(ConsumerConfig.MAX_POLL_RECORDS_CONFIG)) {
            return GroupPolls.idleMember(clients, Map.of());
        }
        return GroupPolls.idleMember(clients,
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, DEFAULT_MAX_POLL_RECORDS));
    }

    private Map<String, Object> producerOverrides(String producerTransactionalId) {
        Map<String, Object> overrides = new HashMap<>();
        overrides.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, producerTransactionalId);
        // An operator's kafka.transaction.timeout.ms wins over our short default.
        if (!config.kafkaClientProperties().containsKey(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)) {
            overrides.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, DEFAULT_TRANSACTION_TIMEOUT_MS);
        }
        if (!config.kafkaClientProperties().containsKey(ProducerConfig.RETRY_BACKOFF_MS_CONFIG)) {
            overrides.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, DEFAULT_RETRY_BACKOFF_MS);
        }
        if (!config.kafkaClientProperties().containsKey(ProducerConfig.LINGER_MS_CONFIG)) {
            overrides.put(ProducerConfig.LINGER_MS_CONFIG, DEFAULT_LINGER_MS);
        }
        return overrides;
    }

    /** True while routing; false before {@link #start()}, after {@link #close()}, or after a fatal error. */
    public boolean isRunning() {
        DispatchLoop current = loop;
        return thread != null && current != null && current.running();
    }

    /** The error that stopped routing by itself (a fenced producer, say), if any. */
    public Optional<Throwable> failure() {
        DispatchLoop current = loop;
        return current == null ? Optional.empty() : Optional.ofNullable(current.failure());
    }

    /**
     * Ready while routing, with its function directory and lag view caught up and following their topics; not ready
     * while it stepped out of its group (its batches kept failing: the schema registry gone, say) or waits after a
     * fence. The process's {@code /readyz} asks this, on the management listener and on a gateway beside it (issue
     * 11, part 4; session 12).
     */
    public ReadinessCheck readiness() {
        return () -> {
            String fenced = fencedNote;
            if (fenced != null) {
                return Optional.of("dispatcher " + transactionalId + " is not routing: " + fenced);
            }
            if (!isRunning()) {
                return Optional.of("dispatcher " + transactionalId + " is not routing"
                        + failure().map(f -> ": " + f).orElse(""));
            }
            DispatchLoop current = loop;
            Optional<String> out = current == null ? Optional.empty() : current.steppedOut();
            if (out.isPresent()) {
                return Optional.of("dispatcher " + transactionalId + " " + out.get());
            }
            FunctionDirectory currentDirectory = directory;
            LagView currentLag = lagView;
            if (currentDirectory == null || currentLag == null) {
                return Optional.of("dispatcher " + transactionalId + " is starting");
            }
            Optional<String> problem = currentDirectory.readiness().problem();
            return problem.isPresent() ? problem : currentLag.readiness().problem();
        };
    }

    /**
     * A loop that stopped by itself leaves nothing of its own running: no lag reader, no idle clients (the function
     * directory is the runtime's, and stays for the process's other services).
     */
    private synchronized void closeAfterFailure() {
        closeClients();
        log.error("[{}] Dispatcher closed after a fatal error; restart it to resume routing", transactionalId);
    }

    /** Finishes the batch in flight (its transaction commits or aborts), leaves the group, closes every client. */
    @Override
    public void close() {
        closing = true;
        closeNow();
    }

    private synchronized void closeNow() {
        if (loop != null) {
            loop.stop();
            try {
                if (thread != null && !loop.awaitStopped(CLOSE_TIMEOUT)) {
                    log.warn("[{}] Dispatcher did not finish its batch within {} s; closing anyway", transactionalId,
                            CLOSE_TIMEOUT.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeClients();
        log.info("[{}] Dispatcher closed", transactionalId);
    }

    private void closeClients() {
        closeRouting();
        if (ownsRuntime) {
            closeQuietly(runtime);
        }
    }

    /** Closes this instance's own clients; the runtime (and its function directory) stays. */
    private void closeRouting() {
        if (consumer != null) {
            // Leaves the group, then closes without waiting out a fetch the broker holds (up to 5 s).
            GroupPolls.leaveAndClose(consumer, transactionalId);
        }
        producers.forEach(producer -> closeQuietly(() -> producer.close(CLOSE_TIMEOUT)));
        closeQuietly(lagView);
        closeQuietly(admin);
        if (workSubjects != null) {
            if (directory != null) {
                directory.removeListener(workSubjects);
            }
            workSubjects.close();
            workSubjects = null;
        }
        consumer = null;
        producers = List.of();
        lagView = null;
        directory = null;
        admin = null;
    }

    private void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("[{}] Error while closing {}: {}", transactionalId, closeable.getClass().getSimpleName(),
                    e.toString());
        }
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new FerryException("Cannot derive dispatcher.transactional.id from the host name ("
                    + e.getMessage() + "); set dispatcher.transactional.id", e);
        }
    }
}

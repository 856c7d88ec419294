package dev.ferry.worker.internal.trigger;

import dev.ferry.core.DaemonThreads;
import dev.ferry.core.FerryException;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.triggers.EventPattern;
import dev.ferry.core.triggers.SourceDecoder;
import dev.ferry.core.triggers.SourceDecodingException;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.TriggerState;
import dev.ferry.schemas.TriggerStatus;
import dev.ferry.worker.Function;
import dev.ferry.worker.internal.Counters;
import dev.ferry.worker.internal.Invoker;
import dev.ferry.worker.internal.WorkerResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a trigger's pool: a thread with its own consumer, its own function instance and user threads (an
 * {@link Invoker}), and a status report. If it cannot consume (a topic is missing, a write failed, the producer was
 * fenced) it reports {@code FAILING} with the error and starts over after a pause from the committed position, so a
 * problem is visible and never silent (DESIGN "Triggers"); when the problem is a schema registry that does not
 * answer (an AVRO source record's schema could not be had), it starts over once the registry answers instead, out of
 * its group meanwhile. Stopping is clean: it takes no new record, finishes what runs, commits, leaves the group,
 * closes its function and removes its status entry.
 */
public abstract class TriggerReplica {

    private static final Logger log = LoggerFactory.getLogger(TriggerReplica.class);
    private static final Duration RESTART_PAUSE = Duration.ofSeconds(2);
    /** Records failing in a row, none answered, after which the replica reports FAILING (the TriggerState doc). */
    static final int FAILURE_STREAK = 10;

    protected final TriggerReplicaSettings settings;
    protected final WorkerResources resources;
    protected final TriggerCounters counters;
    protected final TriggerRecords records;
    protected final BatchRunner runner;
    private final Function function;
    private final Invoker invoker;
    private final Thread thread;
    private final StatusReporter status;
    private volatile boolean stopping;
    /**
     * The state and its error, published as one: written as two fields, a status report read between the writes
     * said FAILING with no error (TriggerIT saw it, session 20).
     */
    private volatile Health health = Health.RUNNING;
    private volatile long lag = -1;
    private long failedInARow;
    private volatile DestinationCodec codec;
    private boolean failingRecords;

    /** Generations of replicas in this process: in thread names, so a recycled replica's stuck threads show. */
    private static final AtomicLong GENERATIONS = new AtomicLong();

    /**
     * @param onStuck told once, off the replica's thread, when {@code worker.abandoned.runs.max} of its runs ignored
     *        their interrupt and still hold threads: the pool then recycles the replica (as {@code WorkerPool} does)
     */
    protected TriggerReplica(TriggerReplicaSettings settings, WorkerResources resources, TriggerCounters pool,
            Runnable onStuck) {
        this.settings = settings;
        this.resources = resources;
        this.counters = new TriggerCounters(pool);
        this.records = new TriggerRecords(settings.ref(), settings.spec().getDestination(), settings.onFailure(),
                resources.topics().results(), resources.serdes().serializer(InvocationResult.class));
        String threadPrefix = "ferry-trigger-" + settings.name() + "." + GENERATIONS.incrementAndGet() + "-";
        ExecutorService userThreads = new UserThreads(DaemonThreads.numbered(threadPrefix));
        this.invoker = new Invoker(userThreads, resources.timers(), resources.clock(),
                resources.config().worker().abandonedRunsMax(), new Counters(), onStuck);
        this.function = resources.runtimes().create(settings.function());
        this.runner = new BatchRunner(settings, function, invoker, resources.backoff(), resources.timers(),
                resources.clock(), records);
        this.thread = new Thread(this::run, "ferry-trigger-" + settings.name());
        this.status = new StatusReporter(resources, settings, this::snapshot);
    }

    public final void start() {
        status.start();
        thread.start();
    }

    public final int index() {
        return settings.index();
    }

    public final void requestStop() {
        stopping = true;
    }

    public final boolean awaitStopped(Duration timeout) {
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /** The replica's state now: RUNNING, or FAILING with {@link #error()}. */
    public final TriggerState state() {
        return health.state();
    }

    public final String error() {
        return health.error();
    }

    /** A replica's state with why it is not RUNNING (null while it is). */
    private record Health(TriggerState state, String error) {
        static final Health RUNNING = new Health(TriggerState.RUNNING, null);
    }

    /** Whether another run may start: false while too many runs stuck past their timeout hold threads. */
    protected final boolean mayStartRun() {
        return invoker.mayStartRun();
    }

    /** Runs that ignored their interrupt and still hold this replica's threads. */
    public final int abandonedThreads() {
        return invoker.abandonedThreads();
    }

    protected final boolean stopping() {
        return stopping;
    }

    /** Called once the replica consumes again: clears a FAILING state. */
    protected final void running() {
        health = Health.RUNNING;
        failingRecords = false;
        failedInARow = 0;
    }

    /**
     * Counts what became of finished records: {@value #FAILURE_STREAK} failures in a row with none answered make the
     * replica FAILING ("its recent records all failed"), until a record is answered again. Polling thread only.
     */
    protected final void ended(int answered, int failed) {
        counters.answered(answered);
        counters.failed(failed);
        if (answered > 0) {
            failedInARow = 0;
            if (failingRecords) {
                failingRecords = false;
                running();
            }
        } else if (failed > 0) {
            failedInARow += failed;
            if (failedInARow >= FAILURE_STREAK && health.state() == TriggerState.RUNNING) {
                failingRecords = true;
                health = new Health(TriggerState.FAILING,
                        "The last " + failedInARow + " records all failed and went to " + settings.onFailure());
            }
        }
    }

    /** Records of the replica's assigned partitions not consumed yet; -1 when unknown. */
    protected final void lag(long records) {
        lag = records;
    }

    /**
     * The decode and filter step, made anew at each start of {@link #consume}, so the source topic ids of invocation
     * ids are asked again ({@link SourceTopicIds}); a filter that does not parse fails the replica visibly.
     */
    protected final Intake intake() {
        EventPattern filter = settings.spec().getFilter() == null ? null
                : EventPattern.parse(settings.spec().getFilter());
        return new Intake(new SourceDecoder(settings.spec().getFormat(), resources.serdes().registry()), filter,
                records, settings.name(), settings.spec().getBatchSize() > 1,
                new SourceTopicIds(SourceTopicIds.of(resources.admin()), settings.name()),
                resources.deliveryCountLimit());
    }

    /**
     * Fails unless every source topic, the destination and onFailure exist (the gateway creates them); then reads
     * the size limit of each topic the replica writes ({@link WriteLimits}), so no record too large is written, and
     * the destination's codec ({@link DestinationCodec}), in one describe.
     */
    protected final void requireTopics() {
        List<String> needed = new ArrayList<>(settings.spec().getTopics());
        needed.addAll(records.userTopics());
        // The gateway refuses these; a trigger stored before a name was reserved must not run either. Only the
        // topics the spec names: a trigger without onFailure uses the platform's DLQ, rightly.
        for (String topic : TriggerSpecs.namedTopics(settings.spec()).keySet()) {
            resources.topics().reservation(topic).ifPresent(why -> {
                throw new FerryException("Trigger " + settings.ref() + " cannot run: topic '" + topic + "' is "
                        + why);
            });
        }
        // Asked of these topics alone: a listing of every topic of the cluster at each replica's start grew with
        // everything else on the cluster (thousands of work topics where thousands of functions are deployed).
        Set<String> existing = TopicProvisioner.existing(resources.admin(), needed);
        missingSources(existing);
        List<String> missing = new ArrayList<>(needed.stream().distinct().filter(t -> !existing.contains(t))
                .toList());
        missing.sort(null);
        if (!missing.isEmpty()) {
            throw new FerryException("Trigger " + settings.ref() + " cannot run: topic(s) " + missing
                    + " do not exist");
        }
        int producerMax = Integer.parseInt(String.valueOf(resources.clients()
                .userTopicProducerProperties(null, Map.of()).get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)));
        Map<String, Config> configs = WriteLimits.describeTopics(resources.admin(), records.userTopics());
        records.limits(WriteLimits.of(configs, producerMax, resources.topics().results(),
                resources.maxResultBytes()));
        String destination = settings.spec().getDestination();
        codec = DestinationCodec.of(destination == null ? null : configs.get(destination),
                resources.config().topics().userCompressionType());
    }

    /**
     * Fails (the replica reports FAILING with the message, and starts over after a pause) while a source topic does
     * not exist: a topic deleted under a running replica, which its consumer does not report (docs/design.md section
     * 10, Lifecycle). One describe of the source topics.
     */
    protected final void requireSources() {
        missingSources(TopicProvisioner.existing(resources.admin(), settings.spec().getTopics()));
    }

    private void missingSources(Set<String> existing) {
        List<String> missing = settings.spec().getTopics().stream().filter(t -> !existing.contains(t)).distinct()
                .sorted().toList();
        if (!missing.isEmpty()) {
            // The gateway's words for the same (a trigger at zero replicas), so a trigger says one thing.
            throw new FerryException("source topic(s) " + missing + " do not exist");
        }
    }

    /**
     * The codec the replica's producer writes with: the destination's own ({@link DestinationCodec}), read by
     * {@link #requireTopics}; the user codec before.
     */
    protected final DestinationCodec codec() {
        return codec;
    }

    private void run() {
        try {
            while (!stopping) {
                try {
                    consume();
                } catch (RuntimeException | Error e) {
                    // An Error too (docs/design.md section 11): the replica says FAILING with why and starts over,
                    // rather than its thread ending silently while the trigger's state still says RUNNING.
                    if (stopping) {
                        break;
                    }
                    // Out of its group it no longer knows what waits: unknown, not the last figure (tester 13B: a
                    // replica waiting for the registry showed lag 0 with 8 records waiting).
                    lag = -1;
                    String previous = health.error();
                    String error = e.getMessage() != null ? e.getMessage() : e.toString();
                    health = new Health(TriggerState.FAILING, error);
                    SourceDecodingException decoding = registryFailure(e);
                    boolean registry = decoding != null;
                    if (registry) {
                        if (decoding.schemaId().isPresent()) {
                            resources.registryWatch().lostSchema(decoding.schemaId().getAsInt(), e);
                        } else {
                            resources.registryWatch().lost(e);
                        }
                    }
                    String when = registry ? "once the schema registry answers" : "in " + RESTART_PAUSE.toMillis()
                            + " ms";
                    // A missing topic is a sentence, not a stack trace every two seconds; and the same sentence
                    // again is DEBUG (the status says FAILING all along), so an operator's log shows each problem
                    // once and when it changes.
                    if (error.equals(previous)) {
                        log.debug("[{}] still cannot consume, starting over {}: {}", settings.name(), when, error);
                    } else if (registry) {
                        // Not the trigger's failure, and it recovers on its own: the watch said it at WARN too.
                        log.warn("[{}] cannot consume, starting over {}: {}", settings.name(), when, error);
                    } else {
                        log.error("[{}] cannot consume, starting over {}: {}", settings.name(), when, error,
                                e instanceof FerryException ? null : e);
                    }
                    if (registry) {
                        awaitRegistry();
                    } else {
                        pause();
                    }
                }
            }
        } finally {
            try {
                function.close();
            } catch (Exception | LinkageError e) {
                log.warn("[{}] closing the function failed: {}", settings.name(), e.toString());
            }
            invoker.close();
            status.stop();
            log.info("[{}] stopped", settings.name());
        }
    }

    private TriggerStatus snapshot() {
        Health now = health;
        return TriggerStatus.newBuilder()
                .setTenant(settings.ref().tenant())
                .setName(settings.ref().name())
                .setWorker(settings.worker())
                .setAt(resources.clock().instant())
                .setState(now.state())
                .setError(now.error())
                .setLag(lag)
                .setRead(counters.read())
                .setFiltered(counters.filtered())
                .setAnswered(counters.answered())
                .setFailed(counters.failed())
                .build();
    }

    /**
     * The failure to decode a source record because the schema registry did not answer
     * ({@link SourceDecodingException#retriable()}), not because the record is bad, that {@code e} is or holds; null
     * for any other failure.
     */
    private static SourceDecodingException registryFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SourceDecodingException decoding) {
                return decoding.retriable() ? decoding : null;
            }
        }
        return null;
    }

    /**
     * Out of the group until the process's schema registry answers (asked once a second for the whole process by
     * the {@link dev.ferry.core.runtime.RegistryWatch}), or the replica stops: restarting every 2 s took the
     * partitions back from the replicas of other processes each time (session 12).
     */
    private void awaitRegistry() {
        while (!stopping && !resources.registryWatch().available()) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void pause() {
        long until = System.nanoTime() + RESTART_PAUSE.toNanos();
        while (!stopping && System.nanoTime() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Creates the clients and serves records until {@link #stopping()}; then settles what it holds, commits and
     * closes them. Throws on a failure, after which the replica starts over from the committed position.
     */
    protected abstract void consume();
}

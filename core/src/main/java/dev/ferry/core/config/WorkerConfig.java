package dev.ferry.core.config;

import dev.ferry.core.net.EgressPolicy;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Settings of the worker pools, which run functions. */
public final class WorkerConfig {

    public static final String PROCESS_RUNTIME_ENABLED = "worker.process.runtime.enabled";
    public static final String RETRY_BACKOFF_MS = "worker.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "worker.retry.backoff.max.ms";
    public static final String WORKER_ID = "worker.id";
    public static final String DELIVERY_COUNT_LIMIT = "worker.delivery.count.limit";
    public static final String HTTP_EGRESS_ALLOW = "worker.http.egress.allow";
    public static final String ABANDONED_RUNS_MAX = "worker.abandoned.runs.max";
    public static final String POOLS = "worker.pools";
    public static final String RESULT_LINGER_MS = "worker.result.linger.ms";
    public static final String QUEUE_ACQUIRE_FACTOR = "worker.queue.acquire.factor";
    public static final String RETIRE_QUIET_MS = "worker.retire.quiet.ms";
    /** A {@code QUEUE} replica never acquires more records per poll than this, whatever the factor. */
    public static final int QUEUE_MAX_RECORDS_PER_POLL = 1_000;

    private final boolean processRuntimeEnabled;
    private final long retryBackoffMs;
    private final long retryBackoffMaxMs;
    private final String workerId;
    private final int deliveryCountLimit;
    private final EgressPolicy httpEgress;
    private final int abandonedRunsMax;
    private final PoolSelection pools;
    private final int resultLingerMs;
    private final int queueAcquireFactor;
    private final long retireQuietMs;

    WorkerConfig(AbstractConfig config) {
        this.processRuntimeEnabled = config.getBoolean(PROCESS_RUNTIME_ENABLED);
        this.retryBackoffMs = config.getLong(RETRY_BACKOFF_MS);
        this.retryBackoffMaxMs = config.getLong(RETRY_BACKOFF_MAX_MS);
        this.workerId = config.getString(WORKER_ID);
        this.deliveryCountLimit = config.getInt(DELIVERY_COUNT_LIMIT);
        this.httpEgress = EgressPolicy.allowing(config.getList(HTTP_EGRESS_ALLOW));
        this.abandonedRunsMax = config.getInt(ABANDONED_RUNS_MAX);
        this.pools = PoolSelection.parse(config.getList(POOLS));
        this.resultLingerMs = config.getInt(RESULT_LINGER_MS);
        this.queueAcquireFactor = config.getInt(QUEUE_ACQUIRE_FACTOR);
        this.retireQuietMs = config.getLong(RETIRE_QUIET_MS);
    }

    static void define(ConfigDef def) {
        def.define(PROCESS_RUNTIME_ENABLED, Type.BOOLEAN, false, Importance.HIGH,
                        "Allow the PROCESS runtime, which runs a command line on the worker's host. Off by default: "
                                + "turn it on only where every tenant may run commands there.")
                .define(RETRY_BACKOFF_MS, Type.LONG, 1000L, Range.atLeast(0), Importance.MEDIUM,
                        "Delay before the second attempt of a failed invocation; doubles with each further attempt.")
                .define(RETRY_BACKOFF_MAX_MS, Type.LONG, 60_000L, Range.atLeast(0), Importance.LOW,
                        "Upper bound of the retry delay.")
                .define(WORKER_ID, Type.STRING, "", Importance.LOW,
                        "Name of this worker process in results and logs. Empty: derived from the host name.")
                .define(DELIVERY_COUNT_LIMIT, Type.INT, 3, Range.between(1, 9), Importance.LOW,
                        "QUEUE functions: a record delivered more often than this without an answer (it keeps "
                                + "killing workers) gets a FAILED result and goes to the DLQ. Keep it below the "
                                + "broker's group.share.delivery.count.limit (default 5), which archives silently.")
                .define(HTTP_EGRESS_ALLOW, Type.LIST, List.of(), parsedBy(EgressPolicy::allowing), Importance.HIGH,
                        "HTTP functions may not call the worker's host (loopback, its interfaces' addresses), "
                                + "link-local (169.254.0.0/16, fe80::/10) or cloud metadata addresses; these CIDRs, "
                                + "addresses or host names are allowed anyway (ferry dev: 127.0.0.0/8,::1), except the "
                                + "ports Ferry itself listens on there. Set it on gateways too: they refuse such URLs "
                                + "at deploy.")
                .define(RETIRE_QUIET_MS, Type.LONG, 10_000L, Range.atLeast(100), Importance.LOW,
                        "A deleted function's pool retires: one replica answers every invocation still queued for "
                                + "it REJECTED function_deleted, and stops once no record came for this long.")
                .define(ABANDONED_RUNS_MAX, Type.INT, 4, Range.atLeast(1), Importance.LOW,
                        "Timed-out runs that ignore their interrupt keep their threads. When this many of one "
                                + "replica's runs still run 1 s after their timeout, the replica is recycled: "
                                + "replaced by a new one with fresh threads and a new function instance, the stuck "
                                + "threads left to end on their own (issue 11).")
                .define(POOLS, Type.LIST, List.of(), parsedBy(PoolSelection::parse), Importance.MEDIUM,
                        "The pools this worker process runs: tenant/function for a function's, "
                                + "tenant/trigger:name for a trigger's. Empty: every deployed function's and enabled "
                                + "trigger's. For a Kubernetes Deployment per function or trigger (the actuator's "
                                + "layout), so each pod runs its own pool only.")
                .define(RESULT_LINGER_MS, Type.INT, 1, Range.between(0, 1_000), Importance.LOW,
                        "linger.ms of the worker's result producer (results, their reply copies, dead letters): "
                                + "every synchronous call waits for it once. 1 ms, not the 5 ms of Ferry's other "
                                + "producers, costs little batching under load, since records pile up while "
                                + "requests are in flight (issue 16). Wins over kafka.linger.ms for this producer.")
                .define(QUEUE_ACQUIRE_FACTOR, Type.INT, 8, Range.between(1, 64), Importance.LOW,
                        "QUEUE functions: while a function's runs are short, a replica acquires up to this many "
                                + "times its concurrency records per poll (at most 1000) and runs them concurrency at "
                                + "a time, since each poll costs a share fetch (issue 16); a record not started while "
                                + "its acquisition lock still covers a whole attempt is released unrun. 1: acquire "
                                + "only as many as run at once.");
    }

    public boolean processRuntimeEnabled() {
        return processRuntimeEnabled;
    }

    public long retryBackoffMs() {
        return retryBackoffMs;
    }

    public long retryBackoffMaxMs() {
        return retryBackoffMaxMs;
    }

    /** Where HTTP functions may send calls ({@value #HTTP_EGRESS_ALLOW}; issue 12). */
    public EgressPolicy httpEgress() {
        return httpEgress;
    }

    /** The entries of {@code name} as strings; a list whose {@code parse} throws is refused with its message. */
    private static ConfigDef.Validator parsedBy(Consumer<List<String>> parse) {
        return (name, value) -> {
            try {
                parse.accept(value instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        };
    }

    /** The pools this process runs ({@value #POOLS}). */
    public PoolSelection pools() {
        return pools;
    }

    /** {@value #RESULT_LINGER_MS}: how long the result producer waits to fill a batch, in ms. */
    public int resultLingerMs() {
        return resultLingerMs;
    }

    /** {@value #QUEUE_ACQUIRE_FACTOR}: records acquired per poll, as a multiple of a replica's concurrency. */
    public int queueAcquireFactor() {
        return queueAcquireFactor;
    }

    /**
     * The records a {@code QUEUE} replica of {@code concurrency} acquires per poll while it acquires ahead (its runs
     * are short): {@link #queueAcquireFactor()} × {@code concurrency}, in whole multiples of {@code concurrency}, at
     * most {@value #QUEUE_MAX_RECORDS_PER_POLL} (issue 16). Benchmarks that stand for a worker acquire the same.
     */
    public int queueAcquireAheadRecords(int concurrency) {
        return Math.max(1, concurrency) * acquireFactorAt(queueAcquireFactor, concurrency);
    }

    /**
     * The acquire factor in use at {@code concurrency}: {@code factor}, lowered so that factor × concurrency stays
     * within {@value #QUEUE_MAX_RECORDS_PER_POLL} records per poll; at least 1.
     */
    public static int acquireFactorAt(int factor, int concurrency) {
        return Math.max(1, Math.min(factor, QUEUE_MAX_RECORDS_PER_POLL / Math.max(1, concurrency)));
    }

    public int deliveryCountLimit() {
        return deliveryCountLimit;
    }

    /** Abandoned runs still holding threads at which a replica is recycled. */
    /** How long a retiring pool waits without a record before it stops ({@link #RETIRE_QUIET_MS}). */
    public java.time.Duration retireQuiet() {
        return java.time.Duration.ofMillis(retireQuietMs);
    }

    public int abandonedRunsMax() {
        return abandonedRunsMax;
    }

    /** The configured worker id, or empty when it is to be derived from the host. */
    public String workerId() {
        return workerId;
    }
}

package dev.ferry.worker;

import dev.ferry.core.DaemonThreads;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.Shutdown;
import dev.ferry.core.functions.FunctionDirectory;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.metrics.FerryMetrics;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.worker.internal.GroupSwitch;
import dev.ferry.worker.internal.Handover;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@link WorkerPool} per deployed function, following a {@link FunctionDirectory}: a new function gets a
 * pool of {@code minReplicas} replicas (or {@code initialReplicas} when its {@code minReplicas} is 0), a changed
 * one is redeployed, a removed one has its pool retired ({@link WorkerPool#retire()}:
 * what is still queued for it is answered REJECTED {@code function_deleted}, while a call of a function created again
 * under the name, which this service may take in after the call reached the retiring pool, is held and given back to
 * the new pool) and then closed once no record came for {@code worker.retire.quiet.ms}. Changes are applied one at a
 * time on the service's own thread, so a slow pool start never holds up the directory.
 *
 * <p>With {@code worker.pools} naming pools, only those functions get one here (issue 15: a Kubernetes Deployment
 * per function runs its own function only).
 *
 * <p>{@code initialReplicas} is 1 when no autoscaler runs (so a function deployed with {@code minReplicas 0}
 * still serves), and 0 when one does: it scales the pool from zero through {@link #pool(FunctionRef)}.
 */
public final class WorkerService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerService.class);
    /** How long a process stop lets the pools finish what they hold. */
    static final Duration STOP_PATIENCE = Duration.ofSeconds(5);
    /** How long a retiring pool's reading (the work topic's ends, then the directory to its end) may take. */
    private static final Duration CATALOG_READ_PATIENCE = Duration.ofSeconds(30);

    private final WorkerContext context;
    private final FunctionDirectory directory;
    private final int initialReplicas;
    private final Map<FunctionRef, WorkerPool> pools = new ConcurrentHashMap<>();
    private final Map<FunctionRef, PoolMeters> meters = new ConcurrentHashMap<>();
    private final Map<FunctionRef, Retirement> retiring = new ConcurrentHashMap<>();
    private final ExecutorService changes = Executors.newSingleThreadExecutor(
            DaemonThreads.factory("ferry-worker-service"));
    private final FunctionDirectory.Listener listener = new FunctionDirectory.Listener() {
        @Override
        public void deployed(FunctionSpec spec) {
            changes.execute(() -> apply(spec));
        }

        @Override
        public void removed(FunctionRef ref) {
            changes.execute(() -> remove(ref));
        }
    };

    /**
     * Pools for the functions of the runtime's directory ({@link WorkerContext#runtime()}), started on the first
     * call if no other service of the process has.
     *
     * @param initialReplicas replicas of a new pool: 1 alone, 0 with an autoscaler that sizes it from lag
     */
    public WorkerService(WorkerContext context, int initialReplicas) {
        this(context, context.runtime().functions(), initialReplicas);
    }

    /** Pools for the functions of {@code directory}, which the caller owns, starts and closes. */
    public WorkerService(WorkerContext context, FunctionDirectory directory, int initialReplicas) {
        if (initialReplicas < 0) {
            throw new IllegalArgumentException("initialReplicas cannot be negative: " + initialReplicas);
        }
        this.context = context;
        this.directory = directory;
        this.initialReplicas = initialReplicas;
    }

    /** Starts following the directory (which must be started); current functions get their pools first. */
    public WorkerService start() {
        directory.addListener(listener);
        return this;
    }

    /** The pool of a function, for the autoscaler's in-process actuator to {@link WorkerPool#resize}. */
    public Optional<WorkerPool> pool(FunctionRef ref) {
        return Optional.ofNullable(pools.get(ref));
    }

    public Map<FunctionRef, WorkerPool> pools() {
        return Map.copyOf(pools);
    }

    private void apply(FunctionSpec spec) {
        FunctionRef ref = FunctionSpecs.ref(spec);
        if (!context.config().worker().pools().runs(ref)) {
            return; // another process's pool (worker.pools)
        }
        try {
            Retirement predecessor = retiring.remove(ref);
            if (predecessor != null) {
                if (predecessor.pool.spec().getDelivery() != spec.getDelivery()) {
                    // The new function needs a group of the other type, which starts at its workStartOffsets: what
                    // the old function left queued below them is answered by the retiring pool, or by nobody.
                    predecessor.drainBelow(spec);
                }
                // Deployed again: what the old function left queued is below the new spec's workStartOffsets, so
                // the new pool answers it function_deleted itself (same delivery: the same group). Closing gives
                // back what the retiring pool held as a possible call of this function (Handover).
                predecessor.end();
            }
            WorkerPool pool = pools.get(ref);
            if (pool == null) {
                int replicas = context.config().autoscaler().startingReplicas(spec.getMinReplicas(), initialReplicas);
                WorkerPool created = new WorkerPool(spec, context, replicas);
                pools.put(ref, created);
                meters.put(ref, new PoolMeters(FerryMetrics.registry(), ref, created));
            } else if (!pool.spec().equals(spec)) {
                pool.update(spec);
            }
        } catch (RuntimeException e) {
            log.error("Cannot start the worker pool of {}: {}", ref, e.toString(), e);
        }
    }

    private void remove(FunctionRef ref) {
        WorkerPool pool = pools.remove(ref);
        PoolMeters poolMeters = meters.remove(ref);
        if (poolMeters != null) {
            poolMeters.close();
        }
        if (pool == null) {
            return;
        }
        try {
            pool.retire(() -> reading(ref));
        } catch (RuntimeException e) {
            log.warn("[{}] removed; cannot retire its pool ({}), closing it: invocations still queued stay pending "
                    + "until the name is deployed again", ref, e.toString());
            pool.close();
            return;
        }
        Retirement retirement = new Retirement(pool, context.config().worker().retireQuiet());
        retiring.put(ref, retirement);
        retirement.thread.start();
    }

    /**
     * A retiring pool's {@link Handover.Reading}: the work topic's end offsets, then whether the directory, read to
     * the end {@code ferry.functions} has after that, holds a function named {@code ref}. A call of a function created
     * again under the name is written after its spec, and this service may take the spec in after the call reached
     * the retiring pool; a record below those ends whose function was created again would find that spec. Completes
     * on the worker's timer thread, never the directory's reader, and within {@link #CATALOG_READ_PATIENCE} (else
     * exceptionally: the retiring pool then holds the record).
     */
    private CompletableFuture<Handover.Reading> reading(FunctionRef ref) {
        Admin admin = context.resources.admin();
        String topic = context.resources.topics().work(ref);
        return admin.describeTopics(List.of(topic)).allTopicNames().toCompletionStage().toCompletableFuture()
                .thenCompose(described -> {
                    int partitions = described.get(topic).partitions().size();
                    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                    for (int p = 0; p < partitions; p++) {
                        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
                    }
                    return admin.listOffsets(request).all().toCompletionStage().thenApply(found -> {
                        List<Long> ends = new ArrayList<>();
                        for (int p = 0; p < partitions; p++) {
                            ends.add(found.get(new TopicPartition(topic, p)).offset());
                        }
                        return ends;
                    });
                })
                .thenCompose(ends -> directory.tail().readToEnd()
                        .thenApply(read -> new Handover.Reading(ends, directory.get(ref).isPresent())))
                .orTimeout(CATALOG_READ_PATIENCE.toMillis(), TimeUnit.MILLISECONDS)
                .thenApplyAsync(reading -> reading, context.resources.timers());
    }

    /**
     * Watches a retiring pool and closes it once no record came for {@code quiet}: nothing is dispatched to a deleted
     * function, so a quiet pool has answered what was queued. A record it did not get by then (a replica of another
     * process still held it, or the group took longer to assign it) is answered when the name is deployed again.
     */
    private final class Retirement {
        private final WorkerPool pool;
        private final Duration quiet;
        private final Thread thread;
        private volatile boolean ended;

        Retirement(WorkerPool pool, Duration quiet) {
            this.pool = pool;
            this.quiet = quiet;
            this.thread = new Thread(this::watch, "ferry-retire-" + pool.ref().tenant() + "-" + pool.ref().function());
            this.thread.setDaemon(true);
        }

        private void watch() {
            long before = pool.stats().processed();
            long seen = before;
            long quietSince = System.nanoTime();
            long tick = Math.max(50, Math.min(500, quiet.toMillis() / 10));
            try {
                while (!ended && System.nanoTime() - quietSince < quiet.toNanos()) {
                    Thread.sleep(tick);
                    long now = pool.stats().processed();
                    if (now != seen) {
                        seen = now;
                        quietSince = System.nanoTime();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (ended) {
                return; // end() closes the pool
            }
            retiring.remove(pool.ref(), this);
            pool.close();
            log.info("[{}] removed: pool retired after answering {} queued records function_deleted", pool.ref(),
                    pool.stats().processed() - before);
        }

        /**
         * Before a function of the other delivery takes the name: lets the retiring pool answer every record below
         * where the new function's work starts (its {@code workStartOffsets}, else the topic's current ends) and
         * nothing at or past it, waiting until its group's offsets reach there, or until they did not move for
         * {@code worker.retire.quiet.ms} (then what it did not answer stays pending; docs/design.md, section 6).
         * Blocks this service's changes meanwhile.
         */
        void drainBelow(FunctionSpec next) {
            String topic = context.resources.topics().work(pool.ref());
            List<Long> line;
            try {
                line = GroupSwitch.startOffsets(context.resources.admin(), topic, next);
            } catch (RuntimeException e) {
                log.warn("[{}] cannot read where the new function's work starts ({}); closing the retiring pool now",
                        pool.ref(), e.toString());
                return;
            }
            pool.retireBelow(line);
            long started = System.nanoTime();
            long stillSince = started;
            long seen = pool.stats().processed();
            try {
                while (!ended) {
                    if (pool.answeredBelow(line)) {
                        log.info("[{}] the retiring pool answered everything below {} in {} ms; the function now "
                                + "deployed takes the name", pool.ref(), line,
                                (System.nanoTime() - started) / 1_000_000);
                        return;
                    }
                    long now = pool.stats().processed();
                    if (now != seen) {
                        seen = now;
                        stillSince = System.nanoTime();
                    } else if (System.nanoTime() - stillSince > quiet.toNanos()) {
                        log.warn("[{}] the retiring pool answered nothing for {} ms and has not reached {}: "
                                + "invocations of the deleted function still queued below it stay pending (the "
                                + "function now deployed starts its group there)", pool.ref(), quiet.toMillis(), line);
                        return;
                    }
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("[{}] cannot read the retiring pool's offsets ({}); closing it now", pool.ref(), e.toString());
            }
        }

        /** Stops watching and closes the pool now; returns once it is closed. */
        void end() {
            ended = true;
            // Not interrupted: a watcher closing the pool at that moment would give up waiting for its replicas
            // and leave them in their group. It sees ended at its next tick instead.
            pool.close();
        }
    }

    /**
     * Stops following the directory and closes every pool: each finishes what it holds, for up to
     * {@link #STOP_PATIENCE}; what is still running then runs again after a restart (issue 11: a quick stop).
     */
    @Override
    public void close() {
        directory.removeListener(listener);
        changes.shutdown();
        try {
            changes.awaitTermination(Duration.ofMinutes(1).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        retiring.values().forEach(Retirement::end);
        retiring.clear();
        // One thread per pool: each waits for its replicas to settle and leave their groups, and a parallel stream
        // on a two-core machine would close them about one at a time (issue 11: a quick stop).
        Map<String, Runnable> stops = new LinkedHashMap<>();
        pools.values().forEach(pool -> stops.put("ferry-close-" + pool.ref().tenant() + "-" + pool.ref().function(),
                () -> pool.close(STOP_PATIENCE)));
        Shutdown.inParallel(stops);
        pools.clear();
        meters.values().forEach(PoolMeters::close);
        meters.clear();
    }
}

package dev.ferry.worker;

import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.worker.internal.WorkerResources;
import dev.ferry.worker.internal.trigger.OrderedTriggerReplica;
import dev.ferry.worker.internal.trigger.ShareTriggerReplica;
import dev.ferry.worker.internal.trigger.TriggerCounters;
import dev.ferry.worker.internal.trigger.TriggerReplica;
import dev.ferry.worker.internal.trigger.TriggerReplicaSettings;
import dev.ferry.worker.internal.trigger.TriggerStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas that run one trigger (issue 14; DESIGN "Triggers"): members of the trigger's group on its source
 * topics, each decoding, filtering, batching, invoking the trigger's function and writing outputs itself.
 * {@code PARTITION} and {@code KEY} triggers use a consumer group and transactions (exactly-once outputs; replicas
 * beyond the partition count stay idle); {@code NONE} triggers a share group (at least once, any number of
 * replicas). Each replica's results name it {@code <workerName>#<trigger>#<index>}.
 *
 * <p>{@link #resize} is clean in both directions: a leaving replica finishes what runs, commits and leaves the
 * group. A replica whose runs ignore their timeout's interrupt is recycled once {@code worker.abandoned.runs.max} of
 * them hold threads (issue 11; {@link #recycles()}). Thread-safe; {@link #resize}, {@code update} and
 * {@link #close} block until done.
 */
public final class TriggerPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TriggerPool.class);

    private final WorkerResources resources;
    private final TriggerRef ref;
    private final TriggerCounters counters = new TriggerCounters();
    private final List<TriggerReplica> replicas = new ArrayList<>();
    private final AtomicLong recycles = new AtomicLong();
    private TriggerSpec spec;
    private FunctionSpec function;
    private boolean closed;

    /** Starts {@code replicas} replicas of {@code spec}, running {@code function} (the trigger's). */
    public TriggerPool(TriggerSpec spec, FunctionSpec function, WorkerContext context, int replicas) {
        this.resources = context.resources;
        this.ref = TriggerSpecs.ref(spec);
        this.spec = spec;
        this.function = function;
        resources.provisioner().ensure(resources.topics().platformTopic(resources.topics().triggerStatus()));
        resize(replicas);
    }

    public TriggerRef ref() {
        return ref;
    }

    public synchronized TriggerSpec spec() {
        return spec;
    }

    /** The function spec the replicas run now. */
    public synchronized FunctionSpec function() {
        return function;
    }

    public synchronized int replicas() {
        return replicas.size();
    }

    /** The replicas now, by index: for tests that check a replica was or was not replaced. */
    synchronized List<TriggerReplica> members() {
        return List.copyOf(replicas);
    }

    public TriggerStats stats() {
        return new TriggerStats(counters.read(), counters.filtered(), counters.answered(), counters.failed());
    }

    /** Grows or shrinks the pool; leaving replicas finish what runs and commit first. */
    public synchronized void resize(int target) {
        if (target < 0) {
            throw new IllegalArgumentException("Replicas cannot be negative: " + target);
        }
        if (closed) {
            throw new IllegalStateException("Trigger pool of " + ref + " is closed");
        }
        int from = replicas.size();
        while (replicas.size() < target) {
            TriggerReplica replica = newReplica(replicas.size());
            replicas.add(replica);
            replica.start();
        }
        if (replicas.size() > target) {
            stop(new ArrayList<>(replicas.subList(target, replicas.size())), null);
            replicas.subList(target, replicas.size()).clear();
        }
        if (from != target) {
            log.info("[trigger {}] replicas {} -> {}", ref, from, target);
        }
    }

    /**
     * Takes a changed trigger or function live: every replica stops cleanly and restarts on the new specs, unless
     * only fields a trigger replica does not read changed ({@link #sameForReplicas}), which are just recorded.
     */
    synchronized void update(TriggerSpec newSpec, FunctionSpec newFunction) {
        if (spec.equals(newSpec) && sameForReplicas(function, newFunction)) {
            function = newFunction;
            log.debug("[trigger {}] function updated in fields its replicas do not read: no restart", ref);
            return;
        }
        int count = replicas.size();
        resize(0);
        String group = TriggerSpecs.group(newSpec, resources.topics());
        if (group.equals(TriggerSpecs.group(spec, resources.topics()))) {
            // With this process's replicas gone the group may be empty: where a gained source starts is set now.
            TriggerStart.ensureAdded(resources.admin(), group, newSpec.getOrdering() == TriggerOrdering.NONE, newSpec,
                    newSpec.getTopics().stream().filter(t -> !spec.getTopics().contains(t)).toList());
        }
        spec = newSpec;
        function = newFunction;
        resize(count);
        log.info("[trigger {}] updated: {} replicas restarted", ref, count);
    }

    /**
     * Whether a trigger replica runs {@code a} and {@code b} alike: they differ at most in what only the function's
     * own pool and the autoscaler read ({@code minReplicas}, {@code maxReplicas}, {@code targetLagPerReplica},
     * {@code partitions}, {@code delivery}, {@code partitionStrategy}) and {@code updatedAt}.
     */
    static boolean sameForReplicas(FunctionSpec a, FunctionSpec b) {
        FunctionSpec aligned = FunctionSpec.newBuilder(b)
                .setMinReplicas(a.getMinReplicas())
                .setMaxReplicas(a.getMaxReplicas())
                .setTargetLagPerReplica(a.getTargetLagPerReplica())
                .setPartitions(a.getPartitions())
                .setDelivery(a.getDelivery())
                .setPartitionStrategy(a.getPartitionStrategy())
                .setUpdatedAt(a.getUpdatedAt())
                .build();
        return aligned.equals(a);
    }

    @Override
    public synchronized void close() {
        close(null);
    }

    /** Stops every replica, waiting at most {@code patience} (null: the function's timeout plus a minute). */
    public synchronized void close(Duration patience) {
        if (closed) {
            return;
        }
        stop(new ArrayList<>(replicas), patience);
        replicas.clear();
        closed = true;
    }

    private TriggerReplica newReplica(int index) {
        String worker = resources.workerName() + "#" + ref.name() + "#" + index;
        TriggerReplicaSettings settings = new TriggerReplicaSettings(ref, spec, function, index,
                TriggerSpecs.group(spec, resources.topics()), TriggerSpecs.onFailure(spec, resources.topics()),
                ref + "#" + index, worker, resources.instanceName());
        AtomicReference<TriggerReplica> self = new AtomicReference<>();
        Runnable onStuck = () -> recycleLater(self.get());
        TriggerReplica replica = spec.getOrdering() == TriggerOrdering.NONE
                ? new ShareTriggerReplica(settings, resources, counters, onStuck)
                : new OrderedTriggerReplica(settings, resources, counters, onStuck);
        self.set(replica);
        return replica;
    }

    /** Recycling waits for the replica to settle and commit, so it runs off the timer thread that noticed. */
    private void recycleLater(TriggerReplica replica) {
        Thread thread = new Thread(() -> recycle(replica), "ferry-recycle-trigger-" + ref.tenant() + "-" + ref.name());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Replaces a replica whose stuck runs reached {@code worker.abandoned.runs.max} (issue 11, as
     * {@code WorkerPool} does): it stops cleanly (finishes what runs, commits, leaves the group) and a fresh one,
     * with new threads and a new function instance, takes its index; the stuck threads end on their own.
     */
    private synchronized void recycle(TriggerReplica replica) {
        int index = replicas.indexOf(replica);
        if (closed || index < 0) {
            return;
        }
        log.warn("[trigger {}] recycling replica #{}: {} of its runs ignored the interrupt at their timeout ({} ms) "
                + "and still hold threads (worker.abandoned.runs.max={})", ref, index, replica.abandonedThreads(),
                function.getTimeoutMs(), resources.config().worker().abandonedRunsMax());
        stop(List.of(replica), null);
        recycles.incrementAndGet();
        TriggerReplica fresh = newReplica(index);
        replicas.set(index, fresh);
        fresh.start();
    }

    /** Replicas replaced since the pool started because their stuck runs reached the bound. */
    public long recycles() {
        return recycles.get();
    }

    private void stop(List<TriggerReplica> leaving, Duration patience) {
        leaving.forEach(TriggerReplica::requestStop);
        Duration wait = patience != null ? patience : Duration.ofMillis(function.getTimeoutMs() + 60_000L);
        long deadline = System.nanoTime() + wait.toNanos();
        for (TriggerReplica replica : leaving) {
            if (!replica.awaitStopped(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())))) {
                log.warn("[trigger {}] replica #{} did not stop within {} ms; leaving it behind", ref,
                        replica.index(), wait.toMillis());
            }
        }
    }
}

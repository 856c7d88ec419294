package dev.ferry.worker;

import dev.ferry.core.DaemonThreads;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.worker.internal.AcquireMemory;
import dev.ferry.worker.internal.AttemptProcessor;
import dev.ferry.worker.internal.Counters;
import dev.ferry.worker.internal.GroupSwitch;
import dev.ferry.worker.internal.Handover;
import dev.ferry.worker.internal.Invoker;
import dev.ferry.worker.internal.OrderedReplica;
import dev.ferry.worker.internal.Replica;
import dev.ferry.worker.internal.ReplicaSettings;
import dev.ferry.worker.internal.ShareGroupSetup;
import dev.ferry.worker.internal.ShareReplica;
import dev.ferry.worker.internal.UserThreadPool;
import dev.ferry.worker.internal.WorkerResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas that run one function. {@code QUEUE} functions are served by a share group, so any number of
 * replicas share the work of any number of partitions; {@code ORDERED} ones by a consumer group, where replicas
 * beyond the partition count stay idle.
 *
 * <p>{@link #resize} is clean in both directions: a replica being removed stops taking records, finishes and
 * acknowledges (or commits) what it holds, then leaves its group, so nothing is lost or run twice. The pool's
 * methods are thread-safe; {@link #resize} and {@link #update} block until the change is done.
 *
 * <p>Each replica runs its function on threads of its own (an {@link Invoker} per replica). A run that ignores
 * the interrupt at its timeout keeps its thread; once {@code worker.abandoned.runs.max} of a replica's runs do,
 * the pool recycles that replica: it stops cleanly and a new one, with fresh threads and a new function instance,
 * takes its place. The stuck threads are daemon threads left to end on their own, and no longer count against
 * the new replica (issue 11, part 6).
 */
public final class WorkerPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

    private final WorkerResources resources;
    private final FunctionRef ref;
    private final Counters counters = new Counters();
    private final AtomicInteger generations = new AtomicInteger();
    private final List<Member> replicas = new ArrayList<>();
    private FunctionSpec spec;
    /** Whether the work topic and group of {@link #spec} were checked since this pool last had none of its replicas. */
    private boolean prepared;
    /** What the QUEUE replicas learned of the runs, so an added replica starts as they run (issue 16). */
    private AcquireMemory acquireMemory = new AcquireMemory();
    /**
     * Set when the function was deleted: its replicas run no user code and answer REJECTED function_deleted what the
     * handover says is the deleted function's, giving back what belongs to the function deployed under the name next.
     */
    private volatile Handover handover;
    private boolean closed;

    /**
     * Starts {@code replicas} replicas; the work topic and group are checked (and made, if a plain Kafka producer
     * deployed the function) when the first replica starts. A pool at zero replicas makes no Kafka call: a process
     * following a hundred deploys creates a hundred pools at once (issue 16: the hundredth waited 9.9 s behind the
     * others' Admin calls for its first call).
     */
    public WorkerPool(FunctionSpec spec, WorkerContext context, int replicas) {
        this.resources = context.resources;
        this.ref = FunctionSpecs.ref(spec);
        this.spec = spec;
        try {
            resize(replicas);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public FunctionRef ref() {
        return ref;
    }

    public synchronized FunctionSpec spec() {
        return spec;
    }

    public synchronized int replicas() {
        return replicas.size();
    }

    /**
     * Grows or shrinks the pool to {@code target} replicas. Removed replicas finish what they hold first, so this
     * may take as long as the function's timeout.
     */
    public synchronized void resize(int target) {
        if (target < 0) {
            throw new IllegalArgumentException("Replicas cannot be negative: " + target);
        }
        if (closed) {
            throw new IllegalStateException("Worker pool of " + ref + " is closed");
        }
        int from = replicas.size();
        if (target > 0 && !prepared) {
            prepare(spec);
            prepared = true;
        }
        while (replicas.size() < target) {
            Member member = newMember(replicas.size());
            replicas.add(member);
            member.replica().start();
        }
        if (replicas.size() > target) {
            stop(new ArrayList<>(replicas.subList(target, replicas.size())), null);
            replicas.subList(target, replicas.size()).clear();
        }
        if (from != target) {
            log.info("[{}] replicas {} -> {}", ref, from, target);
        }
        if (spec.getDelivery() == Delivery.ORDERED && target > spec.getPartitions()) {
            log.info("[{}] {} replicas for {} partitions: {} stay idle, since an ORDERED function runs at most one "
                    + "replica per partition", ref, target, spec.getPartitions(), target - spec.getPartitions());
        }
    }

    /** Redeploys: every replica stops cleanly and a new one starts on the new spec, keeping the replica count. */
    public synchronized void update(FunctionSpec newSpec) {
        if (!FunctionSpecs.ref(newSpec).equals(ref)) {
            throw new IllegalArgumentException("Pool of " + ref + " cannot run " + FunctionSpecs.ref(newSpec));
        }
        int count = replicas.size();
        resize(0);
        spec = newSpec;
        acquireMemory = new AcquireMemory(); // new code runs for other lengths
        prepared = false; // more partitions, a longer timeout (its lock): checked when a replica starts
        resize(count);
        log.info("[{}] redeployed ({} {}, concurrency {})", ref, newSpec.getRuntime(), newSpec.getHandler(),
                newSpec.getConcurrency());
    }

    /**
     * Retires the pool of a deleted function: its replicas stop cleanly, and one replica that creates no function
     * instance and runs no user code takes their place, answering every record still queued (or released by them)
     * with a final REJECTED {@code function_deleted} result, so no invocation of a deleted function stays pending.
     * The caller closes the pool once no record comes any more. Without it, such invocations waited for the name to
     * be deployed again (the tester of session 7). A pool retired this way follows no function catalog: it answers
     * every record (a {@link WorkerService} retires its pools so that a call of a function created again under the
     * name is left to that function).
     *
     * @throws IllegalStateException when the pool is closed
     */
    public void retire() {
        retire(null);
    }

    /**
     * {@link #retire()}, where a record may also be a call of a function created again under the name, which this
     * worker process has not taken in yet: such a record is not answered but held, then given back for the new
     * function's pool (CI saw one answered {@code function_deleted}). {@code reader} tells which ({@link Handover}).
     *
     * @param reader lists the work topic's end offsets, then reads the function catalog to its end and says whether
     *        it holds a function of this name; must not complete on the catalog's reader thread; null: every record
     *        is the deleted function's
     */
    synchronized void retire(Supplier<? extends CompletionStage<Handover.Reading>> reader) {
        if (handover != null) {
            return;
        }
        resize(0);
        handover = new Handover(ref.toString(), reader);
        prepared = true; // a retiring pool makes nothing: with no work topic, there is nothing to answer
        resize(1);
        log.info("[{}] retiring: answering what is still queued for the deleted function", ref);
    }

    /**
     * Tells a retiring pool where the work of a function of the other delivery created under the name starts (by
     * partition): it answers only records below, and gives back those at or past it (another group reads them),
     * held ones included. Answered records are not affected.
     */
    public void retireBelow(List<Long> line) {
        Handover current = handover;
        if (current != null) {
            current.line(line);
        }
    }

    /**
     * Whether this retiring pool's group has answered every record of the work topic below {@code line} (an Admin
     * call): its committed offsets, or its share-partition start offsets, reached it.
     */
    public boolean answeredBelow(List<Long> line) {
        return GroupSwitch.reached(resources.admin(), resources.topics().workerGroup(ref), spec().getDelivery(),
                resources.topics().work(ref), line);
    }

    public WorkerStats stats() {
        return new WorkerStats(counters.processed(), counters.succeeded(), counters.failed(),
                counters.retriedCount(), counters.deadLetteredCount(), counters.inFlight(), counters.abandonedRuns(),
                counters.abandonedThreads(), counters.recycles());
    }

    /** Stops every replica; each finishes what it holds first, however long its function may take. */
    @Override
    public synchronized void close() {
        close(null);
    }

    /**
     * Stops every replica, waiting at most {@code patience} for them to finish what they hold (a process stop must
     * be quick; issue 11). A replica still busy then is left behind: its unacknowledged records come back to the
     * group when their lock expires, or when its process exits, and run again (the same attempt).
     */
    public synchronized void close(Duration patience) {
        if (closed) {
            return;
        }
        if (handover != null) {
            handover.close(); // what a retiring replica holds is given back, so it can stop
        }
        int from = replicas.size();
        stop(new ArrayList<>(replicas), patience);
        replicas.clear();
        closed = true;
        if (from > 0) {
            log.info("[{}] replicas {} -> 0 (closed)", ref, from);
        }
    }

    /** The work topic and group; made at deploy when deployed through Ferry, so this is one describe then. */
    private void prepare(FunctionSpec target) {
        resources.provisioner().ensure(resources.topics().workTopic(ref, target.getPartitions()));
        // A deleted function of the name with the other delivery left a group of the other type (a tester: every
        // replica failed with "is not a share group" for good): replaced before a member joins.
        GroupSwitch.prepare(resources.admin(), resources.topics().workerGroup(ref), resources.topics().work(ref),
                target);
        if (target.getDelivery() == Delivery.QUEUE) {
            ShareGroupSetup.prepare(resources, resources.topics().workerGroup(ref), target);
        }
    }

    /** A replica and the invoker that owns its user threads. */
    private record Member(Replica replica, Invoker invoker) {
    }

    private Member newMember(int index) {
        ReplicaSettings settings = new ReplicaSettings(ref, spec, index, resources.topics().work(ref),
                resources.topics().workerGroup(ref), ref + "#" + index, resources.workerName() + "#" + index);
        // Thread names carry the replica's generation, so a thread dump tells a recycled replica's stuck threads
        // from its successor's.
        String threadPrefix = "ferry-fn-" + ref.tenant() + "-" + ref.function() + "#" + index + "."
                + generations.incrementAndGet() + "-";
        ExecutorService userThreads = new UserThreadPool(DaemonThreads.numbered(threadPrefix));
        AtomicReference<Member> self = new AtomicReference<>();
        Invoker invoker = new Invoker(userThreads, resources.timers(), resources.clock(),
                resources.config().worker().abandonedRunsMax(), counters, () -> recycleLater(self.get()));
        try {
            AttemptProcessor processor = new AttemptProcessor(resources, spec,
                    handover != null ? null : resources.runtimes().create(spec), invoker, counters, settings.worker(),
                    handover);
            Replica replica = spec.getDelivery() == Delivery.ORDERED
                    ? new OrderedReplica(settings, processor, resources)
                    : new ShareReplica(settings, processor, resources, acquireMemory);
            replica.admission(invoker::mayStartRun);
            self.set(new Member(replica, invoker));
            return self.get();
        } catch (RuntimeException e) {
            invoker.close();
            throw e;
        }
    }

    /** Recycling waits for the replica to settle its batch, so it runs off the timer thread that noticed. */
    private void recycleLater(Member member) {
        Thread thread = new Thread(() -> recycle(member), "ferry-recycle-" + ref.tenant() + "-" + ref.function());
        thread.setDaemon(true);
        thread.start();
    }

    private synchronized void recycle(Member member) {
        int index = replicas.indexOf(member);
        if (closed || index < 0) {
            return;
        }
        log.warn("[{}#{}] recycling the replica: {} of its runs ignored the interrupt at their timeout ({} ms) and "
                + "still hold threads (worker.abandoned.runs.max={}); a new replica with fresh threads takes its "
                + "place, the stuck threads are left to end on their own", ref, index,
                member.invoker().abandonedThreads(), spec.getTimeoutMs(), member.invoker().maxAbandoned());
        stop(List.of(member), null);
        counters.recycled();
        Member fresh = newMember(index);
        replicas.set(index, fresh);
        fresh.replica().start();
    }

    /** @param patience how long all of them may take together; null: the function's timeout plus a minute */
    private void stop(List<Member> leaving, Duration patience) {
        leaving.forEach(member -> member.replica().requestStop());
        Duration wait = patience != null ? patience : Duration.ofMillis(spec.getTimeoutMs() + 60_000L);
        long deadline = System.nanoTime() + wait.toNanos();
        for (Member member : leaving) {
            Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
            if (!member.replica().awaitStopped(left)) {
                log.warn("[{}] replica #{} did not stop within {} ms; leaving it behind", ref,
                        member.replica().index(), wait.toMillis());
            }
            member.invoker().close();
        }
    }
}

package dev.ferry.autoscaler;

import dev.ferry.autoscaler.internal.OffsetReader;
import dev.ferry.autoscaler.internal.OffsetReader.GroupProgress;
import dev.ferry.autoscaler.internal.OffsetReader.PartitionProgress;
import dev.ferry.autoscaler.internal.RecordCounter;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the lag of every deployed function's worker group, and of every enabled trigger's group whose function is
 * deployed, one {@link LagSample} per pool per {@link #collect()} call: lag per partition and in total, the arrival
 * rate (records/s into the topics) and service rate (records/s the group completed) from the offset deltas since
 * the previous call, and the group's members as its current replicas. Each sample is stamped with the instant its end offsets were listed. Lag counts
 * records: transaction markers and aborted records are not work (with a record-counting consumer, see the
 * constructors).
 *
 * <p>Works for both kinds of group: a share group for {@code QUEUE} functions and {@code NONE} triggers, a consumer
 * group for {@code ORDERED} functions and {@code PARTITION} or {@code KEY} triggers. A trigger's sample (issue 14)
 * has {@code function} = the function it runs and {@code trigger} = its name; its partitions are those of its
 * source topics in the order the trigger lists them ({@link TriggerSpecs#group} is the group read). Where a
 * trigger's group has no position yet, it counts from where the trigger will start ({@code startingPosition}), so
 * a new {@code LATEST} trigger on a long topic shows no lag; a partition a started group has no position on (added
 * to a source, a re-created source's) counts from its earliest record, where the replicas read it. Partitions added since the last call join the sums; a function whose work topic does not
 * exist yet is skipped; a deleted group counts as no members with lag from the earliest retained offset. The
 * first sample of a function has zero rates: a rate needs two readings.
 *
 * <p>Not thread-safe: call {@link #collect()} from one thread.
 */
public final class LagCollector {

    private record Reading(Instant at, Map<TopicPartition, PartitionProgress> partitions) {
    }

    /**
     * A pool found quiet: zero replicas, no lag, nothing arrived since its reading before. {@code spec} is what it
     * was sized by (a change ends the quiet), {@code ends} its partitions' end offsets, {@code checked} when they
     * were last compared, {@code collected} when it was last read in full.
     */
    private record Quiet(Object spec, Map<TopicPartition, Long> ends, Instant checked, Instant collected) {
    }

    private final OffsetReader reader;
    private final TopicCatalog topics;
    private final Supplier<? extends Collection<FunctionSpec>> functions;
    private final Supplier<? extends Collection<TriggerSpec>> triggers;
    private final Clock clock;
    private final Map<PoolRef, Reading> previous = new HashMap<>();
    private final Map<PoolRef, Quiet> quiet = new HashMap<>();
    private final Duration quietCheck;
    /**
     * The next instant the quiet function pools are checked, all at once (issue 16): with a check time per pool,
     * 1,000 pools that went quiet at different moments had some pool due at every poll.
     */
    private Instant nextQuietCheck = Instant.MIN;
    /**
     * What the last regular call was given (the same spec objects mean the same pools; the directories hand out
     * the objects they hold), and until when nothing is due: a regular call that finds both unchanged, and no quiet
     * pool sized above zero, returns at once instead of walking every pool.
     */
    private List<?> lastFunctions = List.of();
    private List<?> lastTriggers = List.of();
    private Instant idleUntil = Instant.MIN;
    /** Each spec's pool and target, by spec identity: building them costs name checks and strings per pool. */
    private Map<FunctionSpec, Prepared> prepared = new IdentityHashMap<>();

    private record Prepared(FunctionRef ref, PoolRef pool, OffsetReader.Target target) {
    }
    /** Whether a pool's size in force (its latest decision) is above zero: such a pool is never quiet. */
    private Predicate<PoolRef> sizedAboveZero = pool -> false;

    /** At most this many offsets of a partition are read per sample to count its records; the rest is estimated. */
    static final long MAX_COUNTED_OFFSETS = 2_000;
    /** How long one sample may spend counting records. */
    static final Duration COUNT_BUDGET = Duration.ofMillis(500);
    /** A quiet pool is read in full at least this often, whatever its end offsets say. */
    static final Duration QUIET_REFRESH = Duration.ofSeconds(60);
    /** The default of {@code autoscaler.quiet.check.ms}. */
    static final Duration QUIET_CHECK = Duration.ofSeconds(60);

    /**
     * A collector whose lag counts offsets (transaction markers included); for tests of offsets alone.
     *
     * @param admin an admin client the caller owns and closes
     * @param functions the functions to sample, read anew each call (e.g. {@code directory::all})
     */
    public LagCollector(Admin admin, TopicCatalog topics, Supplier<? extends Collection<FunctionSpec>> functions,
            Clock clock) {
        this(admin, null, topics, functions, clock);
    }

    /**
     * A collector whose lag counts records: {@code counter} (a {@code read_committed} consumer without a group,
     * byte-array deserializers, e.g. {@code KafkaClients.consumer(null, ...)}) reads what lies between a group's
     * position and the end, so transaction markers and aborted records are not counted as work (issue 11).
     *
     * @param admin an admin client the caller owns and closes
     * @param counter a consumer the caller owns and closes; {@code null} counts offsets
     * @param functions the functions to sample, read anew each call (e.g. {@code directory::all})
     */
    public LagCollector(Admin admin, Consumer<byte[], byte[]> counter, TopicCatalog topics,
            Supplier<? extends Collection<FunctionSpec>> functions, Clock clock) {
        this(admin, counter, topics, functions, List::of, clock);
    }

    /**
     * A collector of functions' and triggers' pools whose lag counts records (see the constructor above).
     *
     * @param triggers the triggers to sample, read anew each call (e.g. {@code triggerDirectory::all}); only the
     *        enabled ones whose function is among {@code functions} are sampled
     */
    public LagCollector(Admin admin, Consumer<byte[], byte[]> counter, TopicCatalog topics,
            Supplier<? extends Collection<FunctionSpec>> functions,
            Supplier<? extends Collection<TriggerSpec>> triggers, Clock clock) {
        this(admin, counter, topics, functions, triggers, clock, COUNT_BUDGET);
    }

    /**
     * As above, with {@code countBudget} the time one sample may spend counting records before it counts the
     * rest as offsets: tests that check exact counts on a loaded machine give it more than {@link #COUNT_BUDGET}.
     */
    LagCollector(Admin admin, Consumer<byte[], byte[]> counter, TopicCatalog topics,
            Supplier<? extends Collection<FunctionSpec>> functions,
            Supplier<? extends Collection<TriggerSpec>> triggers, Clock clock, Duration countBudget) {
        this(admin, counter, topics, functions, triggers, clock, countBudget, QUIET_CHECK);
    }

    /**
     * As above, with {@code quietCheck} how often the end offsets of a quiet function pool are compared
     * ({@code autoscaler.quiet.check.ms}; see {@link #collect()}).
     */
    LagCollector(Admin admin, Consumer<byte[], byte[]> counter, TopicCatalog topics,
            Supplier<? extends Collection<FunctionSpec>> functions,
            Supplier<? extends Collection<TriggerSpec>> triggers, Clock clock, Duration countBudget,
            Duration quietCheck) {
        this.quietCheck = quietCheck;
        this.triggers = triggers;
        this.reader = new OffsetReader(admin, Duration.ofSeconds(10), clock,
                counter == null ? null : new RecordCounter(counter, MAX_COUNTED_OFFSETS, countBudget));
        this.topics = topics;
        this.functions = functions;
        this.clock = clock;
    }

    /**
     * One reading of every pool that needs one: functions first, then triggers; a pool whose topics or offsets
     * cannot be read now is left out.
     *
     * <p>Idle back-off (issue 16): a <em>quiet</em> pool (zero replicas and a size in force of zero, no lag, and its end offsets
     * unchanged since its reading before) is not read in full every call. Its end offsets are compared instead, with one batched
     * list-offsets call for all quiet pools: a trigger pool's every call (no one else sees records arrive on a
     * user's topic), a function pool's every {@code quietCheck} (the dispatcher, and the worker's retry forwarder,
     * wake it at once through {@link #collect(Collection)} when they give it work, so the check only covers records
     * written to a work topic some other way and lost wakeups). A pool whose end offsets moved or whose spec
     * changed is read in full again. Every {@link #QUIET_REFRESH} a quiet trigger pool is read in full too, while a
     * quiet function pool whose end offsets did not move only has its group described, and is read in full if it
     * has members. A pool at zero replicas with nothing to do gives no sample meanwhile: there is nothing to decide
     * for it.
     */
    public List<LagSample> collect() {
        return collect(null);
    }

    /**
     * One reading of {@code pools} only, quiet or not (those not deployed, or whose trigger is disabled, are left
     * out): what the autoscaler does when a pool at zero is woken (issue 16, part 2).
     */
    public List<LagSample> collect(Collection<PoolRef> pools) {
        List<FunctionSpec> functionSpecs = List.copyOf(functions.get());
        List<TriggerSpec> triggerSpecs = List.copyOf(triggers.get());
        if (pools == null && idle(functionSpecs, triggerSpecs)) {
            return List.of();
        }
        Map<PoolRef, OffsetReader.Target> targets = new LinkedHashMap<>();
        Map<PoolRef, String> functionOf = new HashMap<>();
        Map<PoolRef, Object> specOf = new HashMap<>();
        Map<String, FunctionSpec> deployed = new HashMap<>();
        Map<FunctionSpec, Prepared> preparedNow = new IdentityHashMap<>();
        for (FunctionSpec spec : functionSpecs) {
            Prepared p = prepared.get(spec);
            if (p == null) {
                FunctionRef ref = FunctionSpecs.ref(spec);
                String topic = topics.work(ref);
                int known = reader.cachedPartitionCount(topic);
                if (known >= 0 && known < spec.getPartitions()) {
                    reader.forgetPartitionCount(topic); // redeployed with more partitions
                }
                p = new Prepared(ref, PoolRef.of(ref), new OffsetReader.Target(topic, topics.workerGroup(ref),
                        spec.getDelivery() != Delivery.ORDERED));
            }
            preparedNow.put(spec, p);
            deployed.put(p.ref().key(), spec);
            targets.put(p.pool(), p.target());
            functionOf.put(p.pool(), p.ref().function());
            specOf.put(p.pool(), spec);
        }
        prepared = preparedNow;
        for (TriggerSpec trigger : triggerSpecs) {
            FunctionSpec function = deployed.get(TriggerSpecs.function(trigger).key());
            if (!trigger.getEnabled() || function == null) {
                continue; // no pool runs it (issue 14: a pool per enabled trigger whose function exists)
            }
            PoolRef pool = PoolRef.of(TriggerSpecs.ref(trigger));
            targets.put(pool, new OffsetReader.Target(trigger.getTopics(), TriggerSpecs.group(trigger, topics),
                    trigger.getOrdering() == TriggerOrdering.NONE, start(trigger)));
            functionOf.put(pool, trigger.getFunction());
            specOf.put(pool, List.of(trigger, function));
        }
        previous.keySet().retainAll(targets.keySet()); // removed pools: start afresh if they come back
        quiet.keySet().retainAll(targets.keySet());
        Map<PoolRef, OffsetReader.Target> due = pools == null ? due(targets, specOf) : new LinkedHashMap<>();
        if (pools != null) {
            targets.forEach((pool, target) -> {
                if (pools.contains(pool)) {
                    due.put(pool, target);
                }
            });
        }
        if (due.isEmpty()) {
            if (pools == null) {
                rememberIdle(functionSpecs, triggerSpecs, targets.keySet());
            }
            return List.of();
        }
        if (pools != null) {
            idleUntil = Instant.MIN; // a woken pool may leave the quiet ones: the next regular call looks again
        }
        OffsetReader.Reading<PoolRef> reading = reader.read(due);
        Map<PoolRef, GroupProgress> progress = reading.groups();
        Instant now = reading.listedAt();
        List<LagSample> samples = new ArrayList<>();
        for (PoolRef pool : due.keySet()) {
            GroupProgress group = progress.get(pool);
            if (group != null) {
                Reading before = previous.get(pool);
                LagSample sample = sample(pool, functionOf.get(pool), group, now);
                samples.add(sample);
                noteQuiet(pool, specOf.get(pool), group, before, sample, now);
            }
        }
        return samples;
    }

    /**
     * Whether a regular call has nothing to do: the same pools as the last call that found nothing due, all of
     * them still quiet and none sized above zero, before the next check.
     */
    private boolean idle(List<FunctionSpec> functionSpecs, List<TriggerSpec> triggerSpecs) {
        if (clock.instant().isBefore(idleUntil) && sameObjects(functionSpecs, lastFunctions)
                && sameObjects(triggerSpecs, lastTriggers)) {
            for (PoolRef pool : quiet.keySet()) {
                if (sizedAboveZero.test(pool)) {
                    idleUntil = Instant.MIN;
                    return false;
                }
            }
            return true;
        }
        idleUntil = Instant.MIN;
        return false;
    }

    /**
     * After a regular call that found nothing due: when every pool is a quiet function pool (a trigger pool's end
     * offsets are compared every call), nothing is due before the next check.
     */
    private void rememberIdle(List<FunctionSpec> functionSpecs, List<TriggerSpec> triggerSpecs, Set<PoolRef> pools) {
        if (pools.stream().allMatch(pool -> !pool.trigger() && quiet.containsKey(pool))) {
            lastFunctions = functionSpecs;
            lastTriggers = triggerSpecs;
            idleUntil = nextQuietCheck;
        }
    }

    private static boolean sameObjects(List<?> a, List<?> b) {
        if (a == b) {
            return true; // a directory answers the same list until it changes
        }
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The pools a regular call reads in full: every pool not quiet, and the quiet ones whose watch says so. Quiet
     * function pools are checked together, every {@code quietCheck}, and one whose full reading falls due before
     * the next check is read at this one, so that between checks a regular call has nothing to do.
     */
    private Map<PoolRef, OffsetReader.Target> due(Map<PoolRef, OffsetReader.Target> targets,
            Map<PoolRef, Object> specOf) {
        Instant now = clock.instant();
        boolean check = !now.isBefore(nextQuietCheck);
        if (check) {
            nextQuietCheck = now.plus(quietCheck);
        }
        Map<PoolRef, OffsetReader.Target> due = new LinkedHashMap<>();
        Map<PoolRef, Quiet> watched = new LinkedHashMap<>();
        Set<PoolRef> refreshing = new HashSet<>();
        targets.forEach((pool, target) -> {
            Quiet q = quiet.get(pool);
            Instant refresh = q == null ? null : q.collected().plus(QUIET_REFRESH);
            boolean refreshDue = q != null && (pool.trigger() ? !now.isBefore(refresh)
                    : check && now.plus(quietCheck).isAfter(refresh));
            if (q == null || !q.spec().equals(specOf.get(pool)) || (refreshDue && pool.trigger())
                    || sizedAboveZero.test(pool)) {
                quiet.remove(pool);
                due.put(pool, target);
            } else if (pool.trigger() || check) {
                watched.put(pool, q);
                if (refreshDue) {
                    refreshing.add(pool);
                }
            }
        });
        if (!watched.isEmpty()) {
            Set<String> watchedTopics = new LinkedHashSet<>();
            watched.keySet().forEach(pool -> watchedTopics.addAll(targets.get(pool).topics()));
            // A work topic gains partitions only with a redeploy, which ends its pool's quiet: its count may be older.
            Set<String> workTopics = new HashSet<>();
            watched.keySet().stream().filter(pool -> !pool.trigger())
                    .forEach(pool -> workTopics.addAll(targets.get(pool).topics()));
            Map<String, Map<TopicPartition, Long>> endsByTopic = new HashMap<>();
            reader.endOffsets(watchedTopics, workTopics).forEach((tp, end) ->
                    endsByTopic.computeIfAbsent(tp.topic(), t -> new HashMap<>()).put(tp, end));
            Map<PoolRef, OffsetReader.Target> confirm = new LinkedHashMap<>();
            watched.forEach((pool, q) -> {
                Map<TopicPartition, Long> endsNow = new HashMap<>();
                targets.get(pool).topics().forEach(topic -> endsNow.putAll(endsByTopic.getOrDefault(topic, Map.of())));
                if (!endsNow.equals(q.ends())) {
                    quiet.remove(pool); // something arrived (or could not be read): read it in full
                    due.put(pool, targets.get(pool));
                } else if (refreshing.contains(pool)) {
                    confirm.put(pool, targets.get(pool));
                } else {
                    quiet.put(pool, new Quiet(q.spec(), q.ends(), now, q.collected()));
                }
            });
            confirmNoMembers(confirm, due, now);
        }
        return due;
    }

    /**
     * A quiet function pool's once-a-minute refresh when its end offsets did not move (issue 16): its group is only
     * described, and it stays quiet, refreshed, when it has no members; otherwise (or when the group cannot be
     * described) it is read in full. Reading it in full would list the share group's offsets, for which the broker
     * reads the group's share state: at 1,000 quiet functions, most of an idle autoscaler's requests.
     *
     * <p>Safe because the pool went quiet with no lag, every position at its end offset, and those did not move: a
     * position moves only by a consumer of the group, which is a member while it consumes (then it is read in full),
     * or by someone resetting the group's offsets by hand, which Ferry never does (the next call's wakeup, a
     * redeploy or records arriving read it in full). Records deleted by retention move the earliest offsets, which
     * cannot add lag. A share group with no lag has nothing in flight to become available again.
     */
    private void confirmNoMembers(Map<PoolRef, OffsetReader.Target> confirm, Map<PoolRef, OffsetReader.Target> due,
            Instant now) {
        if (confirm.isEmpty()) {
            return;
        }
        Map<PoolRef, Integer> members = reader.members(confirm);
        confirm.forEach((pool, target) -> {
            Quiet q = quiet.get(pool);
            if (q != null && Integer.valueOf(0).equals(members.get(pool))) {
                quiet.put(pool, new Quiet(q.spec(), q.ends(), now, now));
            } else {
                quiet.remove(pool);
                due.put(pool, target);
            }
        });
    }

    /** Marks {@code pool} quiet when it has no replicas, no lag, and its end offsets are as at its reading before. */
    private void noteQuiet(PoolRef pool, Object spec, GroupProgress group, Reading before, LagSample sample,
            Instant now) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        group.partitions().forEach(p -> ends.put(p.topicPartition(), p.end()));
        boolean unchanged = before != null && before.partitions().size() == ends.size()
                && ends.entrySet().stream().allMatch(e -> {
                    PartitionProgress then = before.partitions().get(e.getKey());
                    return then != null && then.end() == e.getValue();
                });
        if (sample.getReplicas() == 0 && sample.getTotalLag() == 0 && unchanged && !sizedAboveZero.test(pool)) {
            quiet.put(pool, new Quiet(spec, ends, now, now));
        } else {
            quiet.remove(pool);
        }
    }

    /**
     * Tells the collector which pools have a size in force above zero (their replicas are starting, or should be):
     * those are never quiet, whatever their members say now. The autoscaler's own view of its decisions.
     */
    void sizedAboveZero(Predicate<PoolRef> sized) {
        this.sizedAboveZero = sized;
    }

    /** Whether {@code pool} is quiet now (for tests). */
    boolean quiet(PoolRef pool) {
        return quiet.containsKey(pool);
    }

    /** Where a trigger's group starts on a partition it has no position on: its {@code startingPosition}. */
    private static OffsetReader.Start start(TriggerSpec trigger) {
        return switch (trigger.getStartingPosition()) {
            case EARLIEST -> OffsetReader.Start.EARLIEST;
            case LATEST -> OffsetReader.Start.LATEST;
            case TIMESTAMP -> trigger.getStartingTimestamp() == null ? OffsetReader.Start.LATEST
                    : OffsetReader.Start.at(Math.max(0, trigger.getStartingTimestamp().toEpochMilli()));
        };
    }

    private LagSample sample(PoolRef pool, String function, GroupProgress group, Instant now) {
        List<Long> partitionLag = new ArrayList<>();
        Map<TopicPartition, PartitionProgress> byPartition = new HashMap<>();
        for (PartitionProgress p : group.partitions()) {
            partitionLag.add(p.lag());
            byPartition.put(p.topicPartition(), p);
        }
        double arrivalRate = 0;
        double serviceRate = 0;
        Reading before = previous.put(pool, new Reading(now, byPartition));
        if (before != null && now.isAfter(before.at())) {
            double seconds = Duration.between(before.at(), now).toNanos() / 1e9;
            long arrived = 0;
            long served = 0;
            for (PartitionProgress p : group.partitions()) {
                PartitionProgress then = before.partitions().get(p.topicPartition());
                // Records, not offsets (issue 11): what arrived since this pool's last reading is counted, and what
                // was served is what arrived less what the backlog grew by. Where the reader's count does not start
                // at that reading's end (the pool was skipped in between), offsets stand in; a partition new since
                // the last reading had everything in it arrive since (at most).
                long arrivedHere;
                if (then == null) {
                    arrivedHere = p.end() - p.earliest();
                } else if (p.arrivedFrom() == then.end()) {
                    arrivedHere = p.arrived();
                } else {
                    arrivedHere = Math.max(0, p.end() - then.end());
                }
                long lagThen = then == null ? 0 : then.lag();
                arrived += arrivedHere;
                served += Math.max(0, arrivedHere + lagThen - p.lag());
            }
            arrivalRate = arrived / seconds;
            serviceRate = served / seconds;
        }
        return LagSample.newBuilder().setTenant(pool.tenant()).setFunction(function).setAt(now)
                .setPartitionLag(partitionLag).setTotalLag(partitionLag.stream().mapToLong(Long::longValue).sum())
                .setArrivalRate(arrivalRate).setServiceRate(serviceRate).setReplicas(group.members())
                .setTrigger(pool.trigger() ? pool.name() : null).build();
    }
}

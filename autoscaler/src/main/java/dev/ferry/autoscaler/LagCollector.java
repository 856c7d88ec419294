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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * a new {@code LATEST} trigger on a long topic shows no lag. Partitions added since the last call join the sums; a function whose work topic does not
 * exist yet is skipped; a deleted group counts as no members with lag from the earliest retained offset. The
 * first sample of a function has zero rates: a rate needs two readings.
 *
 * <p>Not thread-safe: call {@link #collect()} from one thread.
 */
public final class LagCollector {

    private record Reading(Instant at, Map<TopicPartition, PartitionProgress> partitions) {
    }

    private final OffsetReader reader;
    private final TopicCatalog topics;
    private final Supplier<? extends Collection<FunctionSpec>> functions;
    private final Supplier<? extends Collection<TriggerSpec>> triggers;
    private final Clock clock;
    private final Map<PoolRef, Reading> previous = new HashMap<>();

    /** At most this many offsets of a partition are read per sample to count its records; the rest is estimated. */
    static final long MAX_COUNTED_OFFSETS = 2_000;
    /** How long one sample may spend counting records. */
    static final Duration COUNT_BUDGET = Duration.ofMillis(500);

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
        this.triggers = triggers;
        this.reader = new OffsetReader(admin, Duration.ofSeconds(10), clock,
                counter == null ? null : new RecordCounter(counter, MAX_COUNTED_OFFSETS, countBudget));
        this.topics = topics;
        this.functions = functions;
        this.clock = clock;
    }

    /**
     * One reading of every pool: functions first, then triggers; a pool whose topics or offsets cannot be read now
     * is left out.
     */
    public List<LagSample> collect() {
        Map<PoolRef, OffsetReader.Target> targets = new LinkedHashMap<>();
        Map<PoolRef, String> functionOf = new HashMap<>();
        Set<String> deployed = new HashSet<>();
        for (FunctionSpec spec : functions.get()) {
            FunctionRef ref = FunctionSpecs.ref(spec);
            deployed.add(ref.key());
            targets.put(PoolRef.of(ref), new OffsetReader.Target(topics.work(ref), topics.workerGroup(ref),
                    spec.getDelivery() != Delivery.ORDERED));
            functionOf.put(PoolRef.of(ref), ref.function());
        }
        for (TriggerSpec trigger : triggers.get()) {
            if (!trigger.getEnabled() || !deployed.contains(TriggerSpecs.function(trigger).key())) {
                continue; // no pool runs it (issue 14: a pool per enabled trigger whose function exists)
            }
            PoolRef pool = PoolRef.of(TriggerSpecs.ref(trigger));
            targets.put(pool, new OffsetReader.Target(trigger.getTopics(), TriggerSpecs.group(trigger, topics),
                    trigger.getOrdering() == TriggerOrdering.NONE, start(trigger)));
            functionOf.put(pool, trigger.getFunction());
        }
        previous.keySet().retainAll(targets.keySet()); // removed pools: start afresh if they come back
        OffsetReader.Reading<PoolRef> reading = reader.read(targets);
        Map<PoolRef, GroupProgress> progress = reading.groups();
        Instant now = reading.listedAt();
        List<LagSample> samples = new ArrayList<>();
        for (PoolRef pool : targets.keySet()) {
            GroupProgress group = progress.get(pool);
            if (group != null) {
                samples.add(sample(pool, functionOf.get(pool), group, now));
            }
        }
        return samples;
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

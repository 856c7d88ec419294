package dev.ferry.autoscaler;

import dev.ferry.autoscaler.internal.OffsetReader;
import dev.ferry.autoscaler.internal.OffsetReader.GroupProgress;
import dev.ferry.autoscaler.internal.OffsetReader.PartitionProgress;
import dev.ferry.autoscaler.internal.RecordCounter;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.LagSample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * Reads the lag of every deployed function's worker group, one {@link LagSample} per function per
 * {@link #collect()} call: lag per partition and in total, the arrival rate (records/s into the work topic) and
 * service rate (records/s the group completed) from the offset deltas since the previous call, and the group's
 * members as its current replicas. Each sample is stamped with the instant its end offsets were listed. Lag counts
 * records: transaction markers and aborted records are not work (with a record-counting consumer, see the
 * constructors).
 *
 * <p>Works for both kinds of worker group: a share group for {@code QUEUE} functions, a consumer group for
 * {@code ORDERED} ones. Partitions added since the last call join the sums; a function whose work topic does not
 * exist yet is skipped; a deleted group counts as no members with lag from the earliest retained offset. The
 * first sample of a function has zero rates: a rate needs two readings.
 *
 * <p>Not thread-safe: call {@link #collect()} from one thread.
 */
public final class LagCollector {

    private record Reading(Instant at, Map<Integer, PartitionProgress> partitions) {
    }

    private final OffsetReader reader;
    private final TopicCatalog topics;
    private final Supplier<? extends Collection<FunctionSpec>> functions;
    private final Clock clock;
    private final Map<FunctionRef, Reading> previous = new HashMap<>();

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
        this.reader = new OffsetReader(admin, Duration.ofSeconds(10), clock,
                counter == null ? null : new RecordCounter(counter, MAX_COUNTED_OFFSETS, COUNT_BUDGET));
        this.topics = topics;
        this.functions = functions;
        this.clock = clock;
    }

    /** One reading of every function; a function whose topic or offsets cannot be read now is left out. */
    public List<LagSample> collect() {
        Map<FunctionRef, OffsetReader.Target> targets = new LinkedHashMap<>();
        for (FunctionSpec spec : functions.get()) {
            FunctionRef ref = FunctionSpecs.ref(spec);
            targets.put(ref, new OffsetReader.Target(topics.work(ref), topics.workerGroup(ref),
                    spec.getDelivery() != Delivery.ORDERED));
        }
        previous.keySet().retainAll(targets.keySet()); // removed functions: start afresh if they come back
        OffsetReader.Reading<FunctionRef> reading = reader.read(targets);
        Map<FunctionRef, GroupProgress> progress = reading.groups();
        Instant now = reading.listedAt();
        List<LagSample> samples = new ArrayList<>();
        for (Map.Entry<FunctionRef, OffsetReader.Target> entry : targets.entrySet()) {
            GroupProgress group = progress.get(entry.getKey());
            if (group != null) {
                samples.add(sample(entry.getKey(), group, now));
            }
        }
        return samples;
    }

    private LagSample sample(FunctionRef ref, GroupProgress group, Instant now) {
        List<Long> partitionLag = new ArrayList<>();
        Map<Integer, PartitionProgress> byPartition = new HashMap<>();
        for (PartitionProgress p : group.partitions()) {
            partitionLag.add(p.lag());
            byPartition.put(p.partition(), p);
        }
        double arrivalRate = 0;
        double serviceRate = 0;
        Reading before = previous.put(ref, new Reading(now, byPartition));
        if (before != null && now.isAfter(before.at())) {
            double seconds = Duration.between(before.at(), now).toNanos() / 1e9;
            long arrived = 0;
            long served = 0;
            for (PartitionProgress p : group.partitions()) {
                PartitionProgress then = before.partitions().get(p.partition());
                // A partition added since the last reading: everything in it arrived since (at most).
                long endThen = then == null ? p.earliest() : then.end();
                long positionThen = then == null ? p.earliest() : then.position();
                arrived += Math.max(0, p.end() - endThen);
                served += Math.max(0, p.position() - positionThen);
            }
            arrivalRate = arrived / seconds;
            serviceRate = served / seconds;
        }
        return LagSample.newBuilder().setTenant(ref.tenant()).setFunction(ref.function()).setAt(now)
                .setPartitionLag(partitionLag).setTotalLag(partitionLag.stream().mapToLong(Long::longValue).sum())
                .setArrivalRate(arrivalRate).setServiceRate(serviceRate).setReplicas(group.members()).build();
    }
}

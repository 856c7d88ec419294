package dev.ferry.autoscaler.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads, with a handful of batched Admin calls for all groups at once, how far each group has got through its
 * topics (a worker group's work topic, or a trigger group's source topics): per partition the earliest retained
 * offset, the end offset and the group's position, plus the group's member count.
 *
 * <p>Position: for a consumer group its committed offset; for a share group the end offset minus the lag the
 * broker reports for the share-partition (KIP-1226: records neither acknowledged nor archived, in-flight ones
 * included), or its start offset when the broker reports no lag. Either way never below the earliest retained
 * offset: records that retention deleted are not work (KEDA counts them, and scales for records no one can read).
 * A group with no position on a partition is where it will start ({@link Target#start}): a worker group at the
 * earliest retained offset (not at 0); a trigger's group per its starting position, so a new trigger that starts
 * at the end of a long topic is not taken for a group with the whole topic to do. A missing topic or group is not
 * an error: a target none of whose topics exists is skipped, a missing group counted with no members. Lag counts records, not offsets:
 * with a {@link RecordCounter} the transaction markers and aborted records between position and end are left out
 * (issue 11).
 */
public final class OffsetReader {

    private static final Logger log = LoggerFactory.getLogger(OffsetReader.class);

    /**
     * Where a group without a position on a partition will start: the earliest retained offset, the end, or the
     * first offset at or after an instant ({@code timestamp}, epoch milliseconds; the end when there is none).
     */
    public record Start(long timestamp) {

        public static final Start EARLIEST = new Start(-2);
        public static final Start LATEST = new Start(-1);

        public static Start at(long epochMillis) {
            if (epochMillis < 0) {
                throw new IllegalArgumentException("A start instant must not be negative, got " + epochMillis);
            }
            return new Start(epochMillis);
        }

        boolean isTimestamp() {
            return timestamp >= 0;
        }
    }

    /**
     * A group to read: its topics (their partitions in this order), its group id, whether it is a share group, and
     * where it starts on a partition it has no position on.
     */
    public record Target(List<String> topics, String group, boolean share, Start start) {

        public Target {
            topics = List.copyOf(topics);
        }

        /** A worker group on its work topic: starts at the earliest retained offset. */
        public Target(String topic, String group, boolean share) {
            this(List.of(topic), group, share, Start.EARLIEST);
        }
    }

    /**
     * One partition's offsets; {@code position} is where the group has got to, {@code lag} the records (not
     * offsets: transaction markers are not work) from there to {@code end}, and {@code arrived} the records written
     * from {@code arrivedFrom} (this partition's end when this reader last read it) to {@code end}; both are
     * {@link #NOT_READ_BEFORE} on a partition's first reading.
     */
    public record PartitionProgress(String topic, int partition, long earliest, long end, long position, long lag,
            long arrivedFrom, long arrived) {

        /** {@code arrivedFrom} and {@code arrived} of a partition this reader has not read before. */
        public static final long NOT_READ_BEFORE = -1;

        public TopicPartition topicPartition() {
            return new TopicPartition(topic, partition);
        }
    }

    /** A group's progress over its topics' partitions (in the target's topic order, then by partition), and its members. */
    public record GroupProgress(List<PartitionProgress> partitions, int members) {
    }

    /** One reading: the instant the end offsets were listed, and each target's progress by the caller's key. */
    public record Reading<K>(Instant listedAt, Map<K, GroupProgress> groups) {
    }

    private final Admin admin;
    private final Duration timeout;
    private final Clock clock;
    private final RecordCounter counter;
    /** Each partition's end at the previous reading: arrivals are counted from there. */
    private final Map<TopicPartition, Long> previousEnds = new HashMap<>();
    /**
     * Partition counts by topic, and when each was described: partitions are only ever added, so a count is
     * re-described every {@link #COUNT_REFRESH} (or sooner, {@link #forgetPartitionCount}) rather than every poll
     * (issue 16: describing every topic every second was a good part of an idle autoscaler's cost).
     */
    private final Map<String, CachedCount> partitionCounts = new HashMap<>();

    /** How long a topic's partition count is trusted before it is described again. */
    public static final Duration COUNT_REFRESH = Duration.ofSeconds(10);
    /** How long a stable topic's partition count is trusted (see {@link #endOffsets(Collection, Set)}). */
    public static final Duration STABLE_COUNT_REFRESH = Duration.ofSeconds(60);

    private record CachedCount(int partitions, Instant describedAt) {
    }

    /**
     * @param counter counts the records between a position and the end; {@code null} counts offsets (which
     *        overstates lag by a marker per transaction)
     */
    public OffsetReader(Admin admin, Duration timeout, Clock clock, RecordCounter counter) {
        this.admin = admin;
        this.timeout = timeout;
        this.clock = clock;
        this.counter = counter;
    }

    /**
     * Progress of each target whose topic exists, stamped with the instant its end offsets were listed (the rates
     * are deltas of those offsets over time, so the stamp must not include the slower calls that follow). Arrivals
     * are counted since this reader's previous call; not thread-safe.
     */
    public <K> Reading<K> read(Map<K, Target> targets) {
        Map<K, GroupProgress> result = new HashMap<>();
        if (targets.isEmpty()) {
            return new Reading<>(clock.instant(), result);
        }
        Map<String, Integer> partitionCounts = partitionCounts(targets.values().stream()
                .flatMap(t -> t.topics().stream()).distinct().toList());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        partitionCounts.forEach((topic, count) -> {
            for (int p = 0; p < count; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
            }
        });
        // read_committed: the end a consumer can reach; open transactions of the dispatcher are not work yet.
        ListOffsetsOptions committedOnly = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
        ListOffsetsResult ends = admin.listOffsets(latest, committedOnly);
        // Stamped when the answer arrives (on the admin client's thread), whatever the calls below then take.
        AtomicReference<Instant> endsListedAt = new AtomicReference<>();
        ends.all().whenComplete((offsets, error) -> endsListedAt.compareAndSet(null, clock.instant()));
        ListOffsetsResult starts = admin.listOffsets(earliest, committedOnly);

        // One spec per group; two targets naming one group (a user's mistake) read the union of their partitions.
        Map<String, Set<TopicPartition>> consumerPartitions = new HashMap<>();
        Map<String, Set<TopicPartition>> sharePartitions = new HashMap<>();
        Map<K, ListOffsetsResult> timestampStarts = new HashMap<>();
        for (Map.Entry<K, Target> entry : targets.entrySet()) {
            Target target = entry.getValue();
            List<TopicPartition> partitions = partitionsOf(target, partitionCounts);
            if (partitions.isEmpty()) {
                continue;
            }
            (target.share() ? sharePartitions : consumerPartitions)
                    .computeIfAbsent(target.group(), g -> new LinkedHashSet<>()).addAll(partitions);
            if (target.start().isTimestamp()) {
                Map<TopicPartition, OffsetSpec> at = new HashMap<>();
                partitions.forEach(tp -> at.put(tp, OffsetSpec.forTimestamp(target.start().timestamp())));
                timestampStarts.put(entry.getKey(), admin.listOffsets(at, committedOnly));
            }
        }
        Map<String, ListConsumerGroupOffsetsSpec> consumerSpecs = new HashMap<>();
        consumerPartitions.forEach((group, partitions) -> consumerSpecs.put(group,
                new ListConsumerGroupOffsetsSpec().topicPartitions(partitions)));
        Map<String, ListShareGroupOffsetsSpec> shareSpecs = new HashMap<>();
        sharePartitions.forEach((group, partitions) -> shareSpecs.put(group,
                new ListShareGroupOffsetsSpec().topicPartitions(partitions)));
        var consumerOffsets = consumerSpecs.isEmpty() ? null : admin.listConsumerGroupOffsets(consumerSpecs);
        var consumerGroups = consumerSpecs.isEmpty() ? null
                : admin.describeConsumerGroups(consumerSpecs.keySet()).describedGroups();
        var shareGroups = shareSpecs.isEmpty() ? null : admin.describeShareGroups(shareSpecs.keySet()).describedGroups();
        Map<String, KafkaFuture<Map<TopicPartition, SharePartitionOffsetInfo>>> shareOffsets =
                shareGroupOffsets(shareSpecs); // in a row, while the calls above are answered
        Instant listedAt = listed(ends, endsListedAt); // the answer's arrival, not this line's

        for (Map.Entry<K, Target> entry : targets.entrySet()) {
            Target target = entry.getValue();
            List<TopicPartition> partitions = partitionsOf(target, partitionCounts);
            if (partitions.isEmpty()) {
                continue;
            }
            try {
                int members;
                Map<TopicPartition, Long> positions = new HashMap<>();
                if (target.share()) {
                    members = orDefault(shareGroups.get(target.group()), d -> d.members().size(), 0);
                    Map<TopicPartition, SharePartitionOffsetInfo> infos = orDefault(
                            shareOffsets.get(target.group()), m -> m, Map.of());
                    for (TopicPartition tp : partitions) {
                        SharePartitionOffsetInfo info = infos.get(tp);
                        if (info != null && info.startOffset() >= 0) {
                            long end = await(ends.partitionResult(tp)).offset();
                            // The broker's lag (KIP-1226) counts acknowledged records past the start offset too; but
                            // under load Kafka 4.4 answered it now and then about two seconds late, with the start
                            // offset of the call's beginning and a later end, counting those seconds' arrivals (issue
                            // 16). Every record before the start offset is delivered, so at the end listed here the
                            // position is never before it.
                            positions.put(tp, info.lag().filter(l -> l >= 0)
                                    .map(l -> Math.max(end - l, info.startOffset())).orElse(info.startOffset()));
                        }
                    }
                } else {
                    members = orDefault(consumerGroups.get(target.group()), d -> d.members().size(), 0);
                    Map<TopicPartition, OffsetAndMetadata> committed = orDefault(
                            consumerOffsets.partitionsToOffsetAndMetadata(target.group()), m -> m, Map.of());
                    committed.forEach((tp, offset) -> {
                        if (offset != null) {
                            positions.put(tp, offset.offset());
                        }
                    });
                }
                List<PartitionProgress> progress = new ArrayList<>();
                // The target's start is where a new group starts; one with positions reads a partition it has none
                // on (added since, or a re-created topic's) from its earliest record, as trigger replicas do.
                Start start = positions.isEmpty() ? target.start() : Start.EARLIEST;
                for (TopicPartition tp : partitions) {
                    long first = await(starts.partitionResult(tp)).offset();
                    long end = await(ends.partitionResult(tp)).offset();
                    Long position = positions.get(tp);
                    if (position == null) {
                        position = startOf(start, timestampStarts.get(entry.getKey()), tp, first, end);
                    }
                    position = Math.min(end, Math.max(first, position));
                    Long endBefore = previousEnds.get(tp);
                    long arrivedFrom = endBefore == null ? PartitionProgress.NOT_READ_BEFORE
                            : Math.min(end, endBefore);
                    long arrived = endBefore == null ? PartitionProgress.NOT_READ_BEFORE
                            : end - Math.max(first, arrivedFrom); // records deleted since cannot be counted
                    progress.add(new PartitionProgress(tp.topic(), tp.partition(), first, end, position,
                            end - position, arrivedFrom, arrived));
                }
                result.put(entry.getKey(), new GroupProgress(progress, members));
            } catch (ExecutionException | TimeoutException e) {
                if (Thread.currentThread().isInterrupted()) {
                    break; // the autoscaler is stopping: no reading is wanted, and no warning per pool
                }
                target.topics().forEach(partitionCounts::remove); // deleted or recreated: describe it again
                log.warn("Cannot read the progress of group {} on {}: {}", target.group(), target.topics(),
                        e.getCause() == null ? e.toString() : e.getCause().toString());
            }
        }
        Map<K, GroupProgress> counted = counted(result);
        counted.values().forEach(group -> group.partitions().forEach(p -> previousEnds.put(p.topicPartition(), p.end())));
        return new Reading<>(listedAt, counted);
    }

    /** Where a group without a position on {@code tp} starts. */
    private long startOf(Start start, ListOffsetsResult atTimestamp, TopicPartition tp, long first, long end)
            throws ExecutionException, TimeoutException {
        if (start.equals(Start.LATEST)) {
            return end;
        }
        if (!start.isTimestamp()) {
            return first;
        }
        long offset = await(atTimestamp.partitionResult(tp)).offset();
        return offset < 0 ? end : offset; // no record at or after the instant: it starts at the end
    }

    /** The end offsets' arrival time; if they cannot be read, now (the targets are then skipped anyway). */
    private Instant listed(ListOffsetsResult ends, AtomicReference<Instant> arrivedAt) {
        try {
            ends.all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // reported per target below
        }
        Instant at = arrivedAt.get();
        return at != null ? at : clock.instant();
    }

    /**
     * The committed end offset of every partition of {@code topics} that exists, with one list-offsets call and the
     * cached partition counts: what a quiet pool's watch needs to see whether anything arrived (issue 16). Empty
     * when the offsets cannot be read now.
     */
    public Map<TopicPartition, Long> endOffsets(Collection<String> topics) {
        return endOffsets(topics, Set.of());
    }

    /**
     * As {@link #endOffsets(Collection)}, trusting the cached partition counts of the {@code stable} topics for
     * {@link #STABLE_COUNT_REFRESH} rather than {@link #COUNT_REFRESH}: topics whose partitions are added only in ways
     * the caller sees otherwise (a work topic grows with a redeploy, which ends its pool's quiet). Issue 16:
     * describing 1,000 work topics every other check was most of an idle autoscaler's remaining Admin traffic.
     */
    public Map<TopicPartition, Long> endOffsets(Collection<String> topics, Set<String> stable) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitionCounts(List.copyOf(topics), stable).forEach((topic, count) -> {
            for (int p = 0; p < count; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
        });
        Map<TopicPartition, Long> ends = new HashMap<>();
        if (latest.isEmpty()) {
            return ends;
        }
        try {
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("Cannot list the end offsets of {}: {}", topics, e.toString());
            topics.forEach(partitionCounts::remove); // a topic deleted or recreated: describe it again
        }
        return ends;
    }

    /** The partition count of {@code topic} as last described, or -1 when not known. */
    public int cachedPartitionCount(String topic) {
        CachedCount cached = partitionCounts.get(topic);
        return cached == null ? -1 : cached.partitions();
    }

    /** Describes {@code topic} again on the next reading (a redeploy asked for more partitions). */
    public void forgetPartitionCount(String topic) {
        partitionCounts.remove(topic);
    }

    /**
     * Replaces each offset lag, and each partition's arrivals, by the number of records they span: the range from the
     * previous end to this end holds the transactions written since, markers included (issue 11: at light load a
     * marker follows every record, so offsets alone double the arrival rate).
     */
    private <K> Map<K, GroupProgress> counted(Map<K, GroupProgress> groups) {
        if (counter == null) {
            return groups;
        }
        // Several groups behind on one partition (two triggers on one source topic) each get their own range.
        Map<TopicPartition, Set<RecordCounter.Range>> ranges = new HashMap<>();
        groups.forEach((key, group) -> group.partitions().forEach(p -> {
            if (p.lag() > 0) {
                ranges.computeIfAbsent(p.topicPartition(), tp -> new HashSet<>()).add(lagRange(p));
            }
            if (p.arrived() > 0) {
                ranges.computeIfAbsent(p.topicPartition(), tp -> new HashSet<>()).add(arrivalRange(p));
            }
        }));
        if (ranges.isEmpty()) {
            return groups;
        }
        Map<TopicPartition, Map<RecordCounter.Range, Long>> records = counter.countEach(ranges);
        Map<K, GroupProgress> result = new HashMap<>();
        groups.forEach((key, group) -> result.put(key, new GroupProgress(group.partitions().stream()
                .map(p -> {
                    Map<RecordCounter.Range, Long> counts = records.getOrDefault(p.topicPartition(), Map.of());
                    long arrived = p.arrived() > 0 ? counts.getOrDefault(arrivalRange(p), p.arrived()) : p.arrived();
                    return new PartitionProgress(p.topic(), p.partition(), p.earliest(), p.end(), p.position(),
                            counts.getOrDefault(lagRange(p), p.lag()), p.arrivedFrom(), arrived);
                })
                .toList(), group.members())));
        return result;
    }

    private static RecordCounter.Range lagRange(PartitionProgress p) {
        return new RecordCounter.Range(p.position(), p.end());
    }

    private static RecordCounter.Range arrivalRange(PartitionProgress p) {
        return new RecordCounter.Range(p.end() - p.arrived(), p.end());
    }

    /**
     * The partition counts of those of {@code topics} that exist: cached ones younger than {@link #COUNT_REFRESH}
     * as they are, the others described (a missing topic is described again on every call until it exists).
     */
    private Map<String, Integer> partitionCounts(List<String> topics) {
        return partitionCounts(topics, Set.of());
    }

    private Map<String, Integer> partitionCounts(List<String> topics, Set<String> stable) {
        Map<String, Integer> counts = new HashMap<>();
        Instant now = clock.instant();
        List<String> toDescribe = new ArrayList<>();
        for (String topic : topics) {
            CachedCount cached = partitionCounts.get(topic);
            Duration refresh = stable.contains(topic) ? STABLE_COUNT_REFRESH : COUNT_REFRESH;
            if (cached != null && cached.describedAt().plus(refresh).isAfter(now)) {
                counts.put(topic, cached.partitions());
            } else {
                toDescribe.add(topic);
            }
        }
        if (toDescribe.isEmpty()) {
            return counts;
        }
        admin.describeTopics(toDescribe).topicNameValues().forEach((topic, future) -> {
            try {
                TopicDescription description = await(future);
                counts.put(topic, description.partitions().size());
                partitionCounts.put(topic, new CachedCount(description.partitions().size(), now));
            } catch (ExecutionException e) {
                partitionCounts.remove(topic);
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    log.warn("Cannot describe topic {}: {}", topic, e.getCause().toString());
                }
            } catch (TimeoutException e) {
                if (!Thread.currentThread().isInterrupted()) {
                    log.warn("Timed out describing topic {}", topic);
                }
            }
        });
        return counts;
    }

    /** The partitions of the target's topics that exist, in topic order then by partition. */
    private static List<TopicPartition> partitionsOf(Target target, Map<String, Integer> partitionCounts) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : target.topics()) {
            int count = partitionCounts.getOrDefault(topic, 0);
            for (int p = 0; p < count; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
        }
        return partitions;
    }

    /**
     * The members of each target's group now, with one describe call per kind of group and no offsets read: what a
     * quiet pool's refresh needs when its end offsets did not move (issue 16). A group that does not exist has no
     * members; a target whose group cannot be described is left out.
     */
    public <K> Map<K, Integer> members(Map<K, Target> targets) {
        Map<K, Integer> result = new HashMap<>();
        if (targets.isEmpty()) {
            return result;
        }
        Set<String> shareNames = new LinkedHashSet<>();
        Set<String> consumerNames = new LinkedHashSet<>();
        targets.values().forEach(t -> (t.share() ? shareNames : consumerNames).add(t.group()));
        var shareGroups = shareNames.isEmpty() ? null : admin.describeShareGroups(shareNames).describedGroups();
        var consumerGroups = consumerNames.isEmpty() ? null
                : admin.describeConsumerGroups(consumerNames).describedGroups();
        for (Map.Entry<K, Target> entry : targets.entrySet()) {
            Target target = entry.getValue();
            try {
                result.put(entry.getKey(), target.share()
                        ? orDefault(shareGroups.get(target.group()), d -> d.members().size(), 0)
                        : orDefault(consumerGroups.get(target.group()), d -> d.members().size(), 0));
            } catch (ExecutionException | TimeoutException e) {
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
                log.debug("Cannot describe group {}: {}", target.group(),
                        e.getCause() == null ? e.toString() : e.getCause().toString());
            }
        }
        return result;
    }

    /**
     * Each share group's start offsets and lag, one group per request, each request sent once the one before is
     * answered. Kafka 4.4's broker computes a share group's lag (KIP-1226) with a ListOffsets request to the
     * partitions' leader from one send thread; when several groups are asked at once (one request naming them, or
     * requests at the same time), it failed one of those inner requests now and then at once and retried it after a
     * back-off of 1-2.3 s: on the autoscale benchmark's two share groups, 10 retries in about 60 readings and readings
     * of 2-3.4 s, against 1 retry (the broker's first) with one group per request. The autoscaler reads only the
     * groups of pools that are not quiet, so the requests in a row stay few.
     */
    private Map<String, KafkaFuture<Map<TopicPartition, SharePartitionOffsetInfo>>> shareGroupOffsets(
            Map<String, ListShareGroupOffsetsSpec> specs) {
        Map<String, KafkaFuture<Map<TopicPartition, SharePartitionOffsetInfo>>> offsets = new HashMap<>();
        for (Map.Entry<String, ListShareGroupOffsetsSpec> group : specs.entrySet()) {
            KafkaFuture<Map<TopicPartition, SharePartitionOffsetInfo>> answer = admin
                    .listShareGroupOffsets(Map.of(group.getKey(), group.getValue()))
                    .partitionsToOffsetInfo(group.getKey());
            offsets.put(group.getKey(), answer);
            try {
                await(answer);
            } catch (ExecutionException | TimeoutException e) {
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
                // reported with the group's target
            }
        }
        return offsets;
    }

    /**
     * A group that does not exist (never started, or deleted) reads as {@code absent}. A group not asked at all (its
     * request was never sent: {@link #shareGroupOffsets} stops at an interrupt) reads as a timeout, which the caller
     * takes for the stop it is; before, it was a {@code NullPointerException} logged as a warning at a quick stop of
     * {@code ferry dev} (session 19).
     */
    private <T, R> R orDefault(KafkaFuture<T> future, java.util.function.Function<T, R> map, R absent)
            throws ExecutionException, TimeoutException {
        if (future == null) {
            throw new TimeoutException("not asked: the reading was interrupted");
        }
        try {
            return map.apply(await(future));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return absent;
            }
            throw e;
        }
    }

    private <T> T await(KafkaFuture<T> future) throws ExecutionException, TimeoutException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException("interrupted");
        }
    }
}

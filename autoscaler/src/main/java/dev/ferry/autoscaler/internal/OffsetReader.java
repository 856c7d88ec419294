package dev.ferry.autoscaler.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * Reads, with a handful of batched Admin calls for all groups at once, how far each worker group has got through
 * its work topic: per partition the earliest retained offset, the end offset and the group's position, plus the
 * group's member count.
 *
 * <p>Position: for a consumer group its committed offset; for a share group the end offset minus the lag the
 * broker reports for the share-partition (KIP-1226: records neither acknowledged nor archived, in-flight ones
 * included), or its start offset when the broker reports no lag. Either way never below the earliest retained
 * offset: records that retention deleted are not work (KEDA counts them, and scales for records no one can read).
 * A group with no position on a partition starts at the earliest retained offset, not at 0. A missing topic or
 * group is not an error: the function is skipped or counted with no members. Lag counts records, not offsets:
 * with a {@link RecordCounter} the transaction markers and aborted records between position and end are left out
 * (issue 11).
 */
public final class OffsetReader {

    private static final Logger log = LoggerFactory.getLogger(OffsetReader.class);

    /** A worker group to read: its topic, its group id, and whether it is a share group. */
    public record Target(String topic, String group, boolean share) {
    }

    /**
     * One partition's offsets; {@code position} is where the group has got to, {@code lag} the records (not
     * offsets: transaction markers are not work) from there to {@code end}.
     */
    public record PartitionProgress(int partition, long earliest, long end, long position, long lag) {
    }

    /** A group's progress over its topic's partitions (ordered by partition), and its members. */
    public record GroupProgress(List<PartitionProgress> partitions, int members) {
    }

    /** One reading: the instant the end offsets were listed, and each target's progress by the caller's key. */
    public record Reading<K>(Instant listedAt, Map<K, GroupProgress> groups) {
    }

    private final Admin admin;
    private final Duration timeout;
    private final Clock clock;
    private final RecordCounter counter;

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
     * are deltas of those offsets over time, so the stamp must not include the slower calls that follow).
     */
    public <K> Reading<K> read(Map<K, Target> targets) {
        Map<K, GroupProgress> result = new HashMap<>();
        if (targets.isEmpty()) {
            return new Reading<>(clock.instant(), result);
        }
        Map<String, Integer> partitionCounts = partitionCounts(targets.values());
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
        ListOffsetsResult starts = admin.listOffsets(earliest, committedOnly);

        Map<String, ListConsumerGroupOffsetsSpec> consumerSpecs = new HashMap<>();
        Map<String, ListShareGroupOffsetsSpec> shareSpecs = new HashMap<>();
        for (Target target : targets.values()) {
            Integer count = partitionCounts.get(target.topic());
            if (count == null) {
                continue;
            }
            List<TopicPartition> partitions = partitionsOf(target.topic(), count);
            if (target.share()) {
                shareSpecs.put(target.group(), new ListShareGroupOffsetsSpec().topicPartitions(partitions));
            } else {
                consumerSpecs.put(target.group(), new ListConsumerGroupOffsetsSpec().topicPartitions(partitions));
            }
        }
        var consumerOffsets = consumerSpecs.isEmpty() ? null : admin.listConsumerGroupOffsets(consumerSpecs);
        var shareOffsets = shareSpecs.isEmpty() ? null : admin.listShareGroupOffsets(shareSpecs);
        var consumerGroups = consumerSpecs.isEmpty() ? null
                : admin.describeConsumerGroups(consumerSpecs.keySet()).describedGroups();
        var shareGroups = shareSpecs.isEmpty() ? null : admin.describeShareGroups(shareSpecs.keySet()).describedGroups();
        Instant listedAt = listed(ends); // all calls are in flight: their time does not shift the stamp

        for (Map.Entry<K, Target> entry : targets.entrySet()) {
            Target target = entry.getValue();
            Integer count = partitionCounts.get(target.topic());
            if (count == null) {
                continue;
            }
            try {
                int members;
                Map<TopicPartition, Long> positions = new HashMap<>();
                if (target.share()) {
                    members = orDefault(shareGroups.get(target.group()), d -> d.members().size(), 0);
                    Map<TopicPartition, SharePartitionOffsetInfo> infos = orDefault(
                            shareOffsets.partitionsToOffsetInfo(target.group()), m -> m, Map.of());
                    for (TopicPartition tp : partitionsOf(target.topic(), count)) {
                        SharePartitionOffsetInfo info = infos.get(tp);
                        if (info != null && info.startOffset() >= 0) {
                            long end = await(ends.partitionResult(tp)).offset();
                            positions.put(tp, info.lag().filter(l -> l >= 0).map(l -> end - l)
                                    .orElse(info.startOffset()));
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
                for (TopicPartition tp : partitionsOf(target.topic(), count)) {
                    long first = await(starts.partitionResult(tp)).offset();
                    long end = await(ends.partitionResult(tp)).offset();
                    long position = Math.min(end, Math.max(first, positions.getOrDefault(tp, first)));
                    progress.add(new PartitionProgress(tp.partition(), first, end, position, end - position));
                }
                result.put(entry.getKey(), new GroupProgress(progress, members));
            } catch (ExecutionException | TimeoutException e) {
                log.warn("Cannot read the progress of group {} on {}: {}", target.group(), target.topic(),
                        e.getCause() == null ? e.toString() : e.getCause().toString());
            }
        }
        return new Reading<>(listedAt, counted(result, targets));
    }

    /** The end offsets' arrival time; if they cannot be read, now (the targets are then skipped anyway). */
    private Instant listed(ListOffsetsResult ends) {
        try {
            ends.all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // reported per target below
        }
        return clock.instant();
    }

    /** Replaces each offset lag by the number of records it spans. */
    private <K> Map<K, GroupProgress> counted(Map<K, GroupProgress> groups, Map<K, Target> targets) {
        if (counter == null) {
            return groups;
        }
        Map<TopicPartition, RecordCounter.Range> ranges = new HashMap<>();
        groups.forEach((key, group) -> group.partitions().stream().filter(p -> p.lag() > 0).forEach(p -> ranges.put(
                new TopicPartition(targets.get(key).topic(), p.partition()),
                new RecordCounter.Range(p.position(), p.end()))));
        if (ranges.isEmpty()) {
            return groups;
        }
        Map<TopicPartition, Long> records = counter.count(ranges);
        Map<K, GroupProgress> result = new HashMap<>();
        groups.forEach((key, group) -> result.put(key, new GroupProgress(group.partitions().stream()
                .map(p -> new PartitionProgress(p.partition(), p.earliest(), p.end(), p.position(),
                        records.getOrDefault(new TopicPartition(targets.get(key).topic(), p.partition()), p.lag())))
                .toList(), group.members())));
        return result;
    }

    private Map<String, Integer> partitionCounts(Collection<Target> targets) {
        List<String> topics = targets.stream().map(Target::topic).distinct().toList();
        Map<String, Integer> counts = new HashMap<>();
        admin.describeTopics(topics).topicNameValues().forEach((topic, future) -> {
            try {
                TopicDescription description = await(future);
                counts.put(topic, description.partitions().size());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    log.warn("Cannot describe work topic {}: {}", topic, e.getCause().toString());
                }
            } catch (TimeoutException e) {
                log.warn("Timed out describing work topic {}", topic);
            }
        });
        return counts;
    }

    private static List<TopicPartition> partitionsOf(String topic, int count) {
        List<TopicPartition> partitions = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            partitions.add(new TopicPartition(topic, p));
        }
        return partitions;
    }

    /** A group that does not exist (never started, or deleted) reads as {@code absent}. */
    private <T, R> R orDefault(KafkaFuture<T> future, java.util.function.Function<T, R> map, R absent)
            throws ExecutionException, TimeoutException {
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

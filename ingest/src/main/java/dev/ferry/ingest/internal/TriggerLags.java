package dev.ferry.ingest.internal;

import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lag of triggers whose replicas report none, read from the broker: a paused trigger (no replica runs, and its
 * lag is what grows), one scaled to zero or not started yet, and a {@code NONE} trigger (a share consumer does not
 * know its lag). Before, all of those showed no lag ({@code -} in {@code ferry trigger list}, the dashboard and
 * {@code describe}), which is least useful exactly when a user wants to see work pile up.
 *
 * <p>Per source partition: the end ({@code read_committed}) less the group's position, the position never below
 * the earliest retained offset (what retention deleted is no one's work); a consumer group's position is its
 * committed offset, a share group's is {@code end - lag} of its share-partition (KIP-1226), else its start offset;
 * a group with no position at all counts from where the trigger will start ({@code startingPosition}), and a
 * partition without one of a group that has positions elsewhere (added to a source, a re-created source's) from its
 * earliest offset, where the replicas start it (docs/design.md section 10). Offsets, as a replica's own report ({@code KafkaConsumer.currentLag}) counts them: a transactional source's
 * markers count. All triggers of one call share one batch of Admin calls; a trigger whose topics or group cannot
 * be read now is left out (its lag stays unknown).
 */
public final class TriggerLags {

    private static final Logger log = LoggerFactory.getLogger(TriggerLags.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Admin admin;
    private final TopicCatalog catalog;

    public TriggerLags(Admin admin, TopicCatalog catalog) {
        this.admin = admin;
        this.catalog = catalog;
    }

    /** The lag in records (offsets) of each of {@code triggers} that could be read; the others are absent. */
    public Map<TriggerRef, Long> of(Collection<TriggerSpec> triggers) {
        Map<TriggerRef, Long> lags = new HashMap<>();
        if (triggers.isEmpty()) {
            return lags;
        }
        try {
            Map<String, List<TopicPartition>> partitions = partitions(triggers);
            List<TopicPartition> all = partitions.values().stream().flatMap(List::stream).toList();
            Map<TopicPartition, ListOffsetsResultInfo> ends = offsets(all, OffsetSpec.latest());
            Map<TopicPartition, ListOffsetsResultInfo> earliest = offsets(all, OffsetSpec.earliest());
            for (TriggerSpec trigger : triggers) {
                List<TopicPartition> mine = new ArrayList<>();
                trigger.getTopics().forEach(topic -> mine.addAll(partitions.getOrDefault(topic, List.of())));
                if (mine.isEmpty() || !trigger.getTopics().stream().allMatch(partitions::containsKey)) {
                    continue; // a source that does not exist: the trigger says FAILING, not a lag
                }
                Map<TopicPartition, Long> positions = positions(trigger, mine, ends);
                long lag = 0;
                for (TopicPartition tp : mine) {
                    long first = earliest.get(tp).offset();
                    long end = ends.get(tp).offset();
                    long position = positions.getOrDefault(tp, end);
                    lag += end - Math.min(end, Math.max(first, position));
                }
                lags.put(TriggerSpecs.ref(trigger), lag);
            }
        } catch (ExecutionException | TimeoutException e) {
            log.debug("Cannot read the lag of {} triggers from the broker: {}", triggers.size(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return lags;
    }

    /** The partitions of every source topic that exists. */
    private Map<String, List<TopicPartition>> partitions(Collection<TriggerSpec> triggers)
            throws InterruptedException, TimeoutException, ExecutionException {
        Set<String> topics = new LinkedHashSet<>();
        triggers.forEach(t -> topics.addAll(t.getTopics()));
        Map<String, List<TopicPartition>> partitions = new LinkedHashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> described
                : admin.describeTopics(topics).topicNameValues().entrySet()) {
            try {
                TopicDescription d = described.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                partitions.put(d.name(), d.partitions().stream()
                        .map(p -> new TopicPartition(d.name(), p.partition())).toList());
            } catch (ExecutionException e) {
                log.debug("Cannot describe trigger source {}: {}", described.getKey(), e.getCause().toString());
            }
        }
        return partitions;
    }

    private Map<TopicPartition, ListOffsetsResultInfo> offsets(List<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException, TimeoutException, ExecutionException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        return admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The group's position on each partition it has one on; where it has none, where the trigger starts. */
    private Map<TopicPartition, Long> positions(TriggerSpec trigger, List<TopicPartition> partitions,
            Map<TopicPartition, ListOffsetsResultInfo> ends)
            throws InterruptedException, TimeoutException, ExecutionException {
        String group = TriggerSpecs.group(trigger, catalog);
        Map<TopicPartition, Long> positions = new HashMap<>();
        try {
            if (trigger.getOrdering() == TriggerOrdering.NONE) {
                Map<TopicPartition, SharePartitionOffsetInfo> infos = admin.listShareGroupOffsets(Map.of(group,
                        new ListShareGroupOffsetsSpec().topicPartitions(partitions))).partitionsToOffsetInfo(group)
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                infos.forEach((tp, info) -> {
                    if (info != null && info.startOffset() >= 0) {
                        long end = ends.get(tp).offset();
                        positions.put(tp, info.lag().filter(l -> l >= 0).map(l -> end - l).orElse(info.startOffset()));
                    }
                });
            } else {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(Map.of(group,
                        new ListConsumerGroupOffsetsSpec().topicPartitions(partitions)))
                        .partitionsToOffsetAndMetadata(group).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                committed.forEach((tp, offset) -> {
                    if (offset != null) {
                        positions.put(tp, offset.offset());
                    }
                });
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw e;
            }
        }
        List<TopicPartition> unstarted = partitions.stream().filter(tp -> !positions.containsKey(tp)).toList();
        if (!unstarted.isEmpty()) {
            // startingPosition is where a new trigger starts; a started one (a position on some partition) reads a
            // partition it has none on (added to a source, a re-created source's) from its earliest record.
            OffsetSpec start = !positions.isEmpty() ? OffsetSpec.earliest() : switch (trigger.getStartingPosition()) {
                case EARLIEST -> OffsetSpec.earliest();
                case LATEST -> null;
                case TIMESTAMP -> trigger.getStartingTimestamp() == null ? null
                        : OffsetSpec.forTimestamp(Math.max(0, trigger.getStartingTimestamp().toEpochMilli()));
            };
            if (start != null) {
                // A timestamp after every record answers -1: the trigger starts at the end.
                offsets(unstarted, start).forEach((tp, info) -> positions.put(tp,
                        info.offset() < 0 ? ends.get(tp).offset() : info.offset()));
            }
        }
        return positions;
    }
}

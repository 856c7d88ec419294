package dev.ferry.worker.internal.trigger;

import dev.ferry.core.FerryException;
import dev.ferry.core.kafka.AdminCalls;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.worker.internal.GroupSwitch;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a new trigger's group starts (docs/design.md section 10, "Where a trigger starts"): {@code startingPosition}
 * applies once, to the partitions its source topics have when the group starts for the first time, and is set
 * explicitly before the first member joins (the group's offsets, as {@link GroupSwitch#setStart} sets them for
 * function pools); {@code LATEST} means the records written after the trigger was ({@link #starts}). Every other partition without a position (one added to a topic later, a re-created topic's) then
 * starts at its earliest offset through the replica's own reset, so nothing written after the trigger started is
 * skipped. The gateway sets a {@code LATEST} trigger's start when the trigger is created; this is the same for
 * {@code TIMESTAMP}, for a spec written past the gateway, and for a pin the gateway could not make.
 *
 * <p>"The first time" is a group with no position on any partition of its sources, which this process has not seen
 * with one: a source topic deleted and re-created under a running pool leaves its group without offsets (the broker
 * drops them), and must not count as a new trigger then. Replicas of one process set it one at a time; replicas of
 * several processes starting together may each set it (a {@code TIMESTAMP} start is the same each time; a
 * {@code LATEST} one may move a moment later) until the first joins, after which Kafka refuses it. A source a
 * running trigger gains is started the same way by {@link #ensureAdded} while the pool restarts on the new spec.
 */
public final class TriggerStart {

    private static final Logger log = LoggerFactory.getLogger(TriggerStart.class);
    /** Groups this process knows have a position: their start is never set again here. */
    private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();
    private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();

    private TriggerStart() {
    }

    /**
     * Sets the start of {@code group} ({@code share}: a share group) on {@code spec}'s sources unless it has a
     * position on one of them already or its {@code startingPosition} is {@code EARLIEST} (the replicas' reset).
     *
     * @throws FerryException when the cluster does not answer (the replica reports FAILING and tries again)
     */
    static void ensure(Admin admin, String group, boolean share, TriggerSpec spec) {
        if (spec.getStartingPosition() == StartingPosition.EARLIEST || STARTED.contains(group)) {
            return;
        }
        synchronized (LOCKS.computeIfAbsent(group, g -> new Object())) {
            if (STARTED.contains(group)) {
                return;
            }
            if (hasPosition(admin, group, share, spec.getTopics())) {
                STARTED.add(group);
                return;
            }
            Map<TopicPartition, Long> starts = starts(admin, spec);
            try {
                GroupSwitch.setStart(admin, group, share, starts);
                log.info("Trigger group {} starts at {} on {}: {}", group, spec.getStartingPosition(),
                        spec.getTopics(), starts);
            } catch (FerryException e) {
                if (!(e.getCause() instanceof GroupNotEmptyException
                        || e.getCause() instanceof UnknownMemberIdException)) {
                    throw e;
                }
                // A member of another process joined first: it set the start, or read from its own.
                log.debug("Trigger group {} has members already: its start is theirs", group);
            }
            STARTED.add(group);
        }
    }

    /**
     * Sets the start of {@code group} on {@code added}, sources a running trigger gained, on which it has no position:
     * the gateway cannot while the pool's replicas are members, so the pool does it between stopping its replicas and
     * starting them on the new spec. Kafka refuses while members of other processes remain: those sources then
     * start at their earliest offsets. Never throws: a failure is a warning, and the replicas go on.
     */
    public static void ensureAdded(Admin admin, String group, boolean share, TriggerSpec spec, List<String> added) {
        if (added.isEmpty() || spec.getStartingPosition() == StartingPosition.EARLIEST) {
            return;
        }
        try {
            synchronized (LOCKS.computeIfAbsent(group, g -> new Object())) {
                if (hasPosition(admin, group, share, added)) {
                    return;
                }
                TriggerSpec only = TriggerSpec.newBuilder(spec).setTopics(added).build();
                GroupSwitch.setStart(admin, group, share, starts(admin, only));
                log.info("Trigger group {} starts at {} on its new source(s) {}", group, spec.getStartingPosition(),
                        added);
            }
        } catch (FerryException e) {
            log.warn("Cannot set where trigger group {} starts on its new source(s) {} ({}): they start at their "
                    + "earliest offsets", group, added, e.getMessage());
        }
    }

    /** Whether {@code group} has a position on any partition of {@code topics}. */
    private static boolean hasPosition(Admin admin, String group, boolean share, List<String> topics) {
        try {
            if (share) {
                Map<TopicPartition, SharePartitionOffsetInfo> infos = AdminCalls.await(admin.listShareGroupOffsets(
                        Map.of(group, new ListShareGroupOffsetsSpec())).partitionsToOffsetInfo(group),
                        "list the offsets of share group " + group);
                return infos.entrySet().stream().anyMatch(e -> topics.contains(e.getKey().topic())
                        && e.getValue() != null && e.getValue().startOffset() >= 0);
            }
            Map<TopicPartition, OffsetAndMetadata> commits = AdminCalls.await(admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata(), "list the offsets of consumer group " + group);
            return commits.entrySet().stream().anyMatch(e -> topics.contains(e.getKey().topic())
                    && e.getValue() != null);
        } catch (FerryException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The start of each partition of the sources: for {@code TIMESTAMP} the first offset whose timestamp is at or
     * after {@code startingTimestamp}, for {@code LATEST} at or after the spec's {@code updatedAt} (when the trigger
     * was written), the end ({@code read_committed}) where no record is that late. {@code LATEST} is not "the end
     * now": a group without a position here may be one whose source was deleted and re-created since the trigger
     * was written (Kafka dropped its offsets), in a process that never saw it with one, and the end now skipped
     * every record of the new topic (a tester, session 13: 9 of 9 records, silently, after a restart). Records
     * written after the trigger are read, whatever the process knows; a record stamped (CreateTime) earlier than
     * the trigger by its producer, though written after it, may be taken for older.
     */
    private static Map<TopicPartition, Long> starts(Admin admin, TriggerSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        OffsetSpec which = OffsetSpec.forTimestamp(spec.getStartingPosition() == StartingPosition.TIMESTAMP
                ? spec.getStartingTimestamp().toEpochMilli() : spec.getUpdatedAt().toEpochMilli());
        AdminCalls.await(admin.describeTopics(spec.getTopics()).allTopicNames(), "describe " + spec.getTopics())
                .forEach((topic, description) -> description.partitions().forEach(p ->
                        request.put(new TopicPartition(topic, p.partition()), which)));
        ListOffsetsOptions committed = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> found = AdminCalls.await(
                admin.listOffsets(request, committed).all(), "read the offsets of " + spec.getTopics());
        Map<TopicPartition, Long> starts = new HashMap<>();
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        found.forEach((tp, info) -> {
            if (info.offset() >= 0) {
                starts.put(tp, info.offset());
            } else {
                ends.put(tp, OffsetSpec.latest()); // no record that late
            }
        });
        if (!ends.isEmpty()) {
            AdminCalls.await(admin.listOffsets(ends, committed).all(), "read the ends of " + spec.getTopics())
                    .forEach((tp, info) -> starts.put(tp, info.offset()));
        }
        return starts;
    }
}

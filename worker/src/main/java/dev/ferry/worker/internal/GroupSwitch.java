package dev.ferry.worker.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.kafka.AdminCalls;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A function's worker group changes type when the function is deleted and created again under its name with the
 * other {@code delivery}: {@code ferry-worker.<tenant>.<function>} is a share group for {@code QUEUE} and a consumer
 * group for {@code ORDERED}, and a group of one type refuses members of the other for as long as it exists (a
 * tester: every replica failed with {@code GroupIdNotFoundException: Group ... is not a share group} and the function
 * never ran again). Before a pool's first replica joins, {@link #prepare} deletes a group of the other type once it
 * has no members and starts the new group at the spec's {@code workStartOffsets} (else the topic's current ends), so
 * it never reads again what the old group had answered; {@link #reached} tells a retiring pool of the other type when
 * it has answered everything below those offsets.
 */
public final class GroupSwitch {

    private static final Logger log = LoggerFactory.getLogger(GroupSwitch.class);
    private static final long TIMEOUT_MS = 30_000;
    /** How long a group of the other type may keep members (another process's retiring pool) before we give up. */
    static final Duration MEMBERS_PATIENCE = Duration.ofSeconds(60);

    private GroupSwitch() {
    }

    /** The group types a spec's pool can join: a share group for QUEUE, a consumer (or empty classic) one else. */
    static boolean fits(GroupType type, Delivery delivery) {
        return delivery == Delivery.QUEUE ? type == GroupType.SHARE
                : type == GroupType.CONSUMER || type == GroupType.CLASSIC;
    }

    /**
     * Deletes {@code group} when it is of the type the spec's delivery cannot join, then positions the new group at
     * {@link #startOffsets}. Does nothing when no group of the name exists or it has the right type.
     *
     * @throws FerryException when the cluster does not answer, or the old group keeps members for {@link
     *     #MEMBERS_PATIENCE} (the pool then does not start; its next resize tries again)
     */
    public static void prepare(Admin admin, String group, String topic, FunctionSpec spec) {
        Optional<GroupType> existing = conflicting(admin, group, spec.getDelivery());
        if (existing.isEmpty() || fits(existing.get(), spec.getDelivery())) {
            return;
        }
        log.info("Group {} is a {} group, left by a deleted function of the name; the {} function now deployed needs a "
                + "{} group: deleting it once it has no members", group, existing.get(), spec.getDelivery(),
                spec.getDelivery() == Delivery.QUEUE ? "share" : "consumer");
        delete(admin, group, existing.get());
        List<Long> starts = startOffsets(admin, topic, spec);
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (int p = 0; p < starts.size(); p++) {
            positions.put(new TopicPartition(topic, p), starts.get(p));
        }
        setStart(admin, group, spec.getDelivery() == Delivery.QUEUE, positions);
        log.info("Group {} made again as a {} group starting at {} on {} (the deleted function's records below are "
                + "not read again)", group, spec.getDelivery() == Delivery.QUEUE ? "share" : "consumer", starts, topic);
    }

    /**
     * Sets where {@code group} starts on each partition of {@code positions} (offset by partition): a share group's
     * start offsets ({@code share}) or a consumer group's committed offsets. Kafka takes it only while the group has
     * no members.
     *
     * @throws FerryException when the cluster refuses (its cause kept: {@code GroupNotEmptyException} or, for a
     *     consumer group, {@code UnknownMemberIdException} when members joined) or does not answer
     */
    public static void setStart(Admin admin, String group, boolean share, Map<TopicPartition, Long> positions) {
        if (share) {
            await(admin.alterShareGroupOffsets(group, positions).all(), "set the start of share group " + group);
        } else {
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            positions.forEach((tp, offset) -> commits.put(tp, new OffsetAndMetadata(offset)));
            await(admin.alterConsumerGroupOffsets(group, commits).all(), "set the start of consumer group " + group);
        }
    }

    /**
     * The type of the group named {@code group} when it is one a pool of {@code delivery} cannot join, else empty
     * (no group of the name, or one of the right type). Asks about that one group only: a describe of the other
     * type (share groups for ORDERED, consumer and classic groups for QUEUE), answered by the group's coordinator.
     * Listing every group of the cluster to find one, as this did before, cost each pool's first start a call to
     * every broker returning every group: 1,000 such listings when a process starts 1,000 functions.
     */
    static Optional<GroupType> conflicting(Admin admin, String group, Delivery delivery) {
        try {
            if (delivery == Delivery.QUEUE) {
                ConsumerGroupDescription found = await(admin.describeConsumerGroups(List.of(group)).describedGroups()
                        .get(group), "describe group " + group);
                return live(found.groupState()) ? Optional.of(found.type()) : Optional.empty();
            }
            ShareGroupDescription found = await(admin.describeShareGroups(List.of(group)).describedGroups()
                    .get(group), "describe group " + group);
            return live(found.groupState()) ? Optional.of(GroupType.SHARE) : Optional.empty();
        } catch (FerryException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Optional.empty(); // none of the name, or one of another type (which is then not ours to mind)
            }
            if (delivery == Delivery.QUEUE && e.getCause() instanceof IllegalArgumentException) {
                return Optional.of(GroupType.CLASSIC); // a classic group of another protocol (Connect's, say)
            }
            throw e;
        }
    }

    /** A described group that exists: brokers answer a describe of an unknown name with {@code DEAD}. */
    private static boolean live(GroupState state) {
        return state != null && state != GroupState.DEAD && state != GroupState.UNKNOWN;
    }

    private static void delete(Admin admin, String group, GroupType type) {
        long deadline = System.nanoTime() + MEMBERS_PATIENCE.toNanos();
        long backoff = 100;
        while (true) {
            try {
                KafkaFuture<Void> deleted = type == GroupType.SHARE
                        ? admin.deleteShareGroups(List.of(group)).all()
                        : admin.deleteConsumerGroups(List.of(group)).all();
                deleted.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                log.info("Deleted {} group {}", type, group);
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof GroupIdNotFoundException) {
                    return; // gone already (another process switched it)
                }
                if (!(e.getCause() instanceof GroupNotEmptyException) || System.nanoTime() - deadline > 0) {
                    log.error("Cannot delete {} group {} for the function now deployed under its name ({}): it needs "
                            + "a group of the other type. Stop the members of the old group (a retiring pool of a "
                            + "deleted function, in this or another worker process) or delete the group by hand",
                            type, group, e.getCause().toString());
                    throw new FerryException("Cannot delete " + type + " group " + group + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new FerryException("Timed out deleting group " + group, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("Interrupted deleting group " + group, e);
            }
            sleep(backoff);
            backoff = Math.min(2_000, backoff * 2);
        }
    }

    /**
     * Where the spec's work starts on {@code topic}, by partition: its {@code workStartOffsets}, and the earliest
     * offset of each partition beyond them (added since they were taken, by this deploy's larger {@code partitions}
     * or a later one: it holds nothing of an earlier function of the name, so all of it is this function's work); a
     * spec without them (written past the gateway) starts at the topic's current ends, the one line that cannot read
     * an earlier function's records again. Before, added partitions also started at their current ends, and a
     * function created again with the other delivery and more partitions never answered the calls written there
     * before its first replica started (a tester, session 9: PENDING for good, lag 0).
     */
    public static List<Long> startOffsets(Admin admin, String topic, FunctionSpec spec) {
        List<Long> given = spec.getWorkStartOffsets();
        if (given == null) {
            return offsets(admin, topic, OffsetSpec.latest());
        }
        Long[] starts = offsets(admin, topic, OffsetSpec.earliest()).toArray(new Long[0]);
        for (int p = 0; p < starts.length && p < given.size(); p++) {
            starts[p] = given.get(p);
        }
        return List.of(starts);
    }

    private static List<Long> offsets(Admin admin, String topic, OffsetSpec which) {
        int partitions = await(admin.describeTopics(List.of(topic)).allTopicNames(), "describe " + topic)
                .get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), which);
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> found = await(admin.listOffsets(request).all(),
                "read the offsets of " + topic);
        Long[] result = new Long[partitions];
        for (int p = 0; p < partitions; p++) {
            result[p] = found.get(new TopicPartition(topic, p)).offset();
        }
        return List.of(result);
    }

    /**
     * Whether the group a pool of {@code delivery} uses has answered every record of {@code topic} below {@code
     * line}: its committed offsets (consumer group) or its share-partition start offsets (share group) are at the
     * line or past it. A partition with no position has answered nothing, unless its line is 0.
     */
    public static boolean reached(Admin admin, String group, Delivery delivery, String topic, List<Long> line) {
        Map<Integer, Long> positions = new HashMap<>();
        try {
            if (delivery == Delivery.QUEUE) {
                Map<TopicPartition, SharePartitionOffsetInfo> infos = await(admin.listShareGroupOffsets(
                        Map.of(group, new ListShareGroupOffsetsSpec())).partitionsToOffsetInfo(group),
                        "list the offsets of share group " + group);
                infos.forEach((tp, info) -> {
                    if (tp.topic().equals(topic) && info != null) {
                        positions.put(tp.partition(), info.startOffset());
                    }
                });
            } else {
                Map<TopicPartition, OffsetAndMetadata> commits = await(admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata(), "list the offsets of consumer group " + group);
                commits.forEach((tp, commit) -> {
                    if (tp.topic().equals(topic) && commit != null) {
                        positions.put(tp.partition(), commit.offset());
                    }
                });
            }
        } catch (FerryException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return line.stream().allMatch(end -> end == 0);
            }
            throw e;
        }
        for (int p = 0; p < line.size(); p++) {
            if (line.get(p) > 0 && positions.getOrDefault(p, -1L) < line.get(p)) {
                return false;
            }
        }
        return true;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted while waiting for group members to leave", e);
        }
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        return AdminCalls.await(future, what);
    }
}

package dev.ferry.core.functions;

import dev.ferry.core.FerryException;
import dev.ferry.core.kafka.AdminCalls;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes what a function's invocations need before the first one arrives (issue 16, part 2): its work topic
 * ({@code FunctionSpec.partitions} partitions, grown on a redeploy that asks for more) and, for a {@code QUEUE}
 * function, its share group's settings. Whoever deploys through Ferry (the gateway, {@code ferry dev}'s built-ins,
 * anything using {@link FunctionPublisher}) calls it before the spec is written, so the first call finds everything
 * in place; the dispatcher (at the first route) and the worker (at a pool's first replica) call it too, for functions
 * written to {@code ferry.functions} by a plain Kafka producer. Idempotent; blocks on Admin calls.
 *
 * <p>A share group is prepared before its first member joins: it starts at the earliest offset (a new share group
 * starts at the latest, KIP-932), reads only committed records (the dispatcher writes work topics in transactions),
 * and holds a record for longer than one attempt plus a short wait for a run slot (a worker acquires up to
 * several times its concurrency per poll when runs are short, and starts a waiting record only while its lock still
 * covers a whole attempt: ShareReplica). Why a long acquisition lock rather than
 * {@code AcknowledgeType.RENEW}: a renewed record comes back from a later poll, not necessarily the next, and cannot
 * be acknowledged until it does, which tangles with explicit mode's batch rule (acknowledge everything before
 * polling again); a lock of {@code timeoutMs} plus a margin needs no traffic. The lock is only ever raised, never
 * lowered, so operators (and tests) may set a longer one. The broker caps it with
 * {@code group.share.max.record.lock.duration.ms} (60 s by default): functions with longer timeouts need that raised,
 * or their records may be redelivered while still running; a warning says so.
 *
 * @throws FerryException from every method when the cluster refuses or does not answer (the lock excepted: a lock
 *     the broker caps is logged, not thrown)
 */
public final class WorkProvisioner {

    public static final String SHARE_AUTO_OFFSET_RESET = "share.auto.offset.reset";
    public static final String SHARE_ISOLATION_LEVEL = "share.isolation.level";
    public static final String SHARE_LOCK_DURATION = "share.record.lock.duration.ms";
    /** Kafka's default of group.share.record.lock.duration.ms, assumed when the group reports none. */
    public static final long KAFKA_DEFAULT_LOCK_MS = 30_000;

    private static final Logger log = LoggerFactory.getLogger(WorkProvisioner.class);

    private final Admin admin;
    private final TopicCatalog topics;
    private final TopicProvisioner provisioner;

    /** @param admin the caller's, open for as long as this is used */
    public WorkProvisioner(Admin admin, TopicCatalog topics) {
        this.admin = admin;
        this.topics = topics;
        this.provisioner = new TopicProvisioner(admin);
    }

    /**
     * The lock a {@code QUEUE} record of a function with {@code timeoutMs} needs: its timeout, room to write its
     * result ({@link #writeMargin(int)}), and room to wait for a free run slot after it is acquired ({@link
     * #startBudget(int)}, issue 16: a worker acquires more records per poll than it runs at once).
     */
    public static long lockNeeded(int timeoutMs) {
        return timeoutMs + writeMargin(timeoutMs) + startBudget(timeoutMs);
    }

    /** Room after an attempt's timeout to write its result and have the record acknowledged: max(1 s, 10 %), ms. */
    public static long writeMargin(int timeoutMs) {
        return Math.max(1_000L, timeoutMs / 10L);
    }

    /**
     * How long an acquired record may wait in a worker's buffer before its run starts, when the group's lock is
     * {@link #lockNeeded(int)}: max(1 s, 10 % of the timeout), ms. A worker derives the wait it allows from the
     * lock the broker reports (a longer lock set by an operator allows a longer wait), not from this.
     */
    public static long startBudget(int timeoutMs) {
        return Math.max(1_000L, timeoutMs / 10L);
    }

    /** The function's work topic and, for {@code QUEUE}, its worker share group's settings. */
    public void provision(FunctionSpec spec) {
        FunctionRef ref = FunctionSpecs.ref(spec);
        provisioner.ensure(topics.workTopic(ref, spec.getPartitions()));
        if (spec.getDelivery() == Delivery.QUEUE) {
            prepareShareGroup(topics.workerGroup(ref), spec.getTimeoutMs());
        }
    }

    /**
     * Where the work of a function created now starts on its work topic, when that topic outlived an earlier
     * function of the same name: each partition's end offset, by partition (zeros when it never held a record).
     * Null when the topic does not exist. Zeros are not null: a function created again with the other delivery
     * starts its new group at these offsets, and null there means "the topic's current ends" (a spec written past
     * the gateway), which would skip the new function's calls written before its first replica started. A deleted function's queued invocations stay on its topic; recorded in
     * {@code FunctionSpec.workStartOffsets}, these offsets keep the next function of the name from running them
     * with its own code (a tester's finding, session 7).
     *
     * @throws FerryException when the cluster does not answer
     */
    public List<Long> leftoverEnds(FunctionRef ref) {
        String topic = topics.work(ref);
        Map<String, TopicDescription> described;
        try {
            described = await(admin.describeTopics(List.of(topic)).allTopicNames(), "describe " + topic);
        } catch (FerryException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
        int partitions = described.get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = await(admin.listOffsets(request).all(),
                "read the end offsets of " + topic);
        List<Long> starts = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            starts.add(ends.get(new TopicPartition(topic, p)).offset());
        }
        return starts;
    }

    /**
     * Prepares share group {@code group} for attempts of up to {@code timeoutMs}: earliest start, committed records
     * only, a lock of {@link #lockNeeded(int)} at least.
     */
    public void prepareShareGroup(String group, int timeoutMs) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        // One describe first: a group prepared at deploy needs nothing more when its first replica starts.
        Config current = describe(resource);
        List<AlterConfigOp> ops = new ArrayList<>();
        if (!"earliest".equals(value(current, SHARE_AUTO_OFFSET_RESET))) {
            ops.add(set(SHARE_AUTO_OFFSET_RESET, "earliest"));
        }
        if (!"read_committed".equals(value(current, SHARE_ISOLATION_LEVEL))) {
            ops.add(set(SHARE_ISOLATION_LEVEL, "read_committed"));
        }
        if (!ops.isEmpty()) {
            await(admin.incrementalAlterConfigs(Map.of(resource, ops)).all(),
                    "configure share group " + group + " with " + ops);
        }
        long needed = lockNeeded(timeoutMs);
        String lock = value(current, SHARE_LOCK_DURATION);
        long currentLock = lock == null ? KAFKA_DEFAULT_LOCK_MS : Long.parseLong(lock);
        if (currentLock < needed) {
            try {
                await(admin.incrementalAlterConfigs(Map.of(resource, List.of(set(SHARE_LOCK_DURATION,
                        String.valueOf(needed))))).all(), "raise the acquisition lock of share group " + group);
                log.info("Share group {}: acquisition lock raised from {} to {} ms to outlast timeoutMs {}", group,
                        currentLock, needed, timeoutMs);
            } catch (FerryException e) {
                log.warn("Share group {}: cannot raise the acquisition lock to {} ms ({}); attempts longer than {} "
                        + "ms may be delivered twice. Raise group.share.max.record.lock.duration.ms on the brokers.",
                        group, needed, e.getMessage(), currentLock);
            }
        }
    }

    private Config describe(ConfigResource resource) {
        return await(admin.describeConfigs(List.of(resource)).all(), "describe " + resource.name()).get(resource);
    }

    private static String value(Config config, String key) {
        ConfigEntry entry = config == null ? null : config.get(key);
        return entry == null ? null : entry.value();
    }

    private static AlterConfigOp set(String key, String value) {
        return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        return AdminCalls.await(future, what);
    }
}

package dev.ferry.ingest.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicSpec;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker side of a trigger's PUT: which of its topics exist (and with how many partitions), creating a
 * missing destination or failure topic (issue 14, part 1), and pinning where a {@code LATEST} trigger starts. A created topic gets the source's partition count and
 * the platform's replication settings ({@code topic.replication.factor}, {@code topic.min.insync.replicas}), and
 * otherwise the broker's defaults: it is the user's topic, not one of Ferry's.
 */
public final class TriggerTopics {

    private static final Logger log = LoggerFactory.getLogger(TriggerTopics.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final Admin admin;
    private final TopicConfig settings;

    public TriggerTopics(Admin admin, TopicConfig settings) {
        this.admin = admin;
        this.settings = settings;
    }

    /** Every topic of the cluster, or null when it does not answer in time (a caller then claims nothing). */
    public Set<String> existing() {
        try {
            return admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Cannot list topics: {}", e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The partition count of each of {@code names} that exists; a missing topic is absent from the map.
     *
     * @throws ApiException 400 naming a topic Ferry is not authorized to describe; 503 when the cluster does not
     *     answer
     */
    public Map<String, Integer> partitions(Collection<String> names) {
        Map<String, Integer> found = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return found;
        }
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(names).topicNameValues();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> entry : described.entrySet()) {
            String topic = entry.getKey();
            try {
                found.put(topic, entry.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).partitions().size());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    continue;
                }
                if (e.getCause() instanceof TopicAuthorizationException) {
                    throw ApiException.badRequest("Ferry is not authorized to use topic '" + topic + "': grant its "
                            + "principal access to it on the cluster");
                }
                log.warn("Cannot describe topic {}: {}", topic, e.getCause().toString());
                throw ApiException.notReady("Cannot describe topic '" + topic + "': "
                        + e.getCause().getClass().getSimpleName());
            } catch (TimeoutException e) {
                throw ApiException.notReady("Kafka did not describe topic '" + topic + "' within "
                        + TIMEOUT.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.notReady("Interrupted");
            }
        }
        return found;
    }

    /**
     * Creates {@code names} with {@code partitions} partitions each; one that exists by then (created by someone
     * else meanwhile) is left exactly as it is: a user's topic is never grown or reconfigured by Ferry.
     *
     * @throws ApiException 503 naming the topic when the cluster refuses or does not answer
     */
    public void create(List<String> names, int partitions) {
        if (names.isEmpty()) {
            return;
        }
        List<TopicSpec> specs = names.stream().map(name -> new TopicSpec(name, partitions,
                settings.replicationFactor(), Map.of(), settings.minInsyncReplicas())).toList();
        try {
            new TopicProvisioner(admin).createIfMissing(specs);
        } catch (FerryException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
                if (cause instanceof InvalidTopicException) {
                    // A name the broker refuses (one that collides with a topic made meanwhile): the caller's to fix.
                    throw ApiException.badRequest("Cannot create topic " + String.join(", ", names.stream()
                            .map(n -> "'" + n + "'").toList()) + ": " + cause.getMessage());
                }
            }
            log.warn("Cannot create trigger topics {}: {}", names, e.getMessage());
            throw ApiException.notReady("Cannot create topic " + String.join(", ", names.stream()
                    .map(n -> "'" + n + "'").toList()) + ": " + e.getMessage());
        }
        log.info("Created trigger topics {} with {} partitions", names, partitions);
    }

    /**
     * Pins where a trigger whose {@code startingPosition} is {@code LATEST} starts: on every partition of
     * {@code sources} (each source topic to its partition count, as {@link #partitions} read it for the same PUT)
     * its {@code group} has no position on yet, at that partition's end now (read_committed). Called
     * before the trigger's spec is published, so no replica has joined yet. Without it "latest" was wherever the
     * group's first replica joined, seconds or minutes later for a pool scaled to zero, and what arrived meanwhile,
     * the record that woke the pool included, was never read (a tester's finding). {@code share} is the
     * group's kind ({@code ordering NONE}). A group with members cannot be moved (an update adding a source while
     * replicas run): those partitions then start where the replicas' own reset puts them, as before, and a warning
     * says so. Nothing here fails the PUT.
     */
    public void pinLatest(String group, boolean share, Map<String, Integer> sources) {
        try {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            sources.forEach((topic, count) -> {
                for (int p = 0; p < count; p++) {
                    request.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
            });
            Set<TopicPartition> placed = share ? sharePositions(group, request.keySet())
                    : admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).entrySet().stream()
                            .filter(e -> e.getValue() != null).map(Map.Entry::getKey).collect(Collectors.toSet());
            request.keySet().removeAll(placed);
            if (request.isEmpty()) {
                return;
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
            if (share) {
                admin.alterShareGroupOffsets(group, ends).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                ends.forEach((tp, end) -> offsets.put(tp, new OffsetAndMetadata(end)));
                admin.alterConsumerGroupOffsets(group, offsets).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            log.info("Trigger group {} starts at the end of {} partition(s) of {} as of now", group, ends.size(),
                    sources.keySet());
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.warn("Cannot pin where trigger group {} starts on {} ({}): partitions it has no position on start "
                    + "where its first replica joins", group, sources.keySet(), e instanceof ExecutionException
                    ? e.getCause().toString() : e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The kind of the Kafka group {@code group} when it exists and is of the other kind than a trigger needs:
     * {@code "consumer"} when {@code share} (ordering NONE reads with a share group) and a consumer (or classic)
     * group of the name exists, {@code "share"} when not {@code share} and a share group does; empty when no group
     * of the name exists or it is of the right kind. A group of one kind refuses members of the other for as long as
     * it exists, and deleting a trigger keeps its group on purpose (a trigger re-created under the name continues
     * where it stopped), so a trigger re-created with the other ordering would fail for good (tester 12A, finding
     * 5). Asks about that one group only (a describe of the other kind, answered by its coordinator; never a
     * listing of every group), as the worker's {@code GroupSwitch} does for function pools. Empty, with a warning,
     * when the cluster does not answer: the write then passes, and the replicas report a mismatch as FAILING.
     */
    public Optional<String> otherKind(String group, boolean share) {
        try {
            if (share) {
                ConsumerGroupDescription found = admin.describeConsumerGroups(List.of(group)).describedGroups()
                        .get(group).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return live(found.groupState()) ? Optional.of("consumer") : Optional.empty();
            }
            ShareGroupDescription found = admin.describeShareGroups(List.of(group)).describedGroups().get(group)
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return live(found.groupState()) ? Optional.of("share") : Optional.empty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Optional.empty(); // none of the name, or one of the kind wanted
            }
            log.warn("Cannot tell the kind of group {}: {}", group, e.getCause().toString());
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            // A classic group of another protocol than the consumer's (Kafka Connect's, say): not a share group.
            return share ? Optional.of("consumer") : Optional.empty();
        } catch (TimeoutException | RuntimeException e) {
            log.warn("Cannot tell the kind of group {}: {}", group, e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** A described group that exists: brokers answer a describe of an unknown name with {@code DEAD}. */
    private static boolean live(GroupState state) {
        return state != null && state != GroupState.DEAD && state != GroupState.UNKNOWN;
    }

    private Set<TopicPartition> sharePositions(String group, Set<TopicPartition> partitions)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            Map<TopicPartition, SharePartitionOffsetInfo> infos = admin.listShareGroupOffsets(Map.of(group,
                    new ListShareGroupOffsetsSpec().topicPartitions(partitions))).partitionsToOffsetInfo(group)
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return infos.entrySet().stream().filter(e -> e.getValue() != null && e.getValue().startOffset() >= 0)
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Set.of();
            }
            throw e;
        }
    }
}

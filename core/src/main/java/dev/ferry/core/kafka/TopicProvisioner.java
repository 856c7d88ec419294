package dev.ferry.core.kafka;

import dev.ferry.core.FerryException;
import dev.ferry.core.topics.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics Ferry needs, idempotently: missing topics are created, existing ones with fewer partitions
 * than wanted are grown (a function redeployed with more partitions), and nothing is ever shrunk or deleted. The
 * replication factor is capped by the number of brokers, so the defaults work on a one-broker dev cluster and on a
 * production one alike; {@code min.insync.replicas} is set where that capped factor allows it
 * ({@link TopicSpec#configsFor(short)}). Existing topics keep their replication and configs.
 */
public final class TopicProvisioner {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Admin admin;
    /** How long one call may take before the cluster counts as not answering: {@link #TIMEOUT} but in tests. */
    private final Duration timeout;

    public TopicProvisioner(Admin admin) {
        this(admin, TIMEOUT);
    }

    TopicProvisioner(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    public void ensure(TopicSpec... specs) {
        ensure(List.of(specs));
    }

    public void ensure(Collection<TopicSpec> specs) {
        if (specs.isEmpty() || alreadyInPlace(specs)) {
            return;
        }
        int brokers = await(admin.describeCluster().nodes(), "describe the cluster").size();
        Set<String> existing = existing(specs);

        List<NewTopic> toCreate = new ArrayList<>();
        List<TopicSpec> present = new ArrayList<>();
        for (TopicSpec spec : specs) {
            if (existing.contains(spec.name())) {
                present.add(spec);
            } else {
                short replication = (short) Math.max(1, Math.min(spec.replicationFactor(), brokers));
                toCreate.add(new NewTopic(spec.name(), spec.partitions(), replication)
                        .configs(spec.configsFor(replication)));
            }
        }
        Set<String> raced = create(toCreate);
        // Missing when described but there when created (another process made it meanwhile): as present as the others.
        specs.stream().filter(s -> raced.contains(s.name())).forEach(present::add);
        grow(present);
        alignCompression(present);
        awaitLeaders(specs.stream().map(TopicSpec::name).toList());
    }

    /**
     * Whether every topic exists with the partitions wanted and a leader for each: a describe and a list-offsets call instead of the
     * half-dozen a full pass makes, plus the check that the leaders serve (issue 16: the work topic of a function deployed through Ferry exists before its
     * first call, and the dispatcher's and worker's checks of it must cost next to nothing). Topics whose
     * {@code compression.type} Ferry aligns always take the full pass; any doubt (an error, a missing topic) too.
     * A cluster that does not answer is no doubt: the full pass would wait as long again on its first call before
     * failing (tester: a service started with nothing at its address took 66 s to say it had waited 30 s).
     *
     * @throws FerryException when the describe call is not answered in time
     */
    private boolean alreadyInPlace(Collection<TopicSpec> specs) {
        if (specs.stream().anyMatch(s -> s.configs()
                .containsKey(org.apache.kafka.common.config.TopicConfig.COMPRESSION_TYPE_CONFIG))) {
            return false;
        }
        try {
            List<String> names = specs.stream().map(TopicSpec::name).toList();
            Map<String, TopicDescription> described;
            try {
                described = admin.describeTopics(names).allTopicNames().get(timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new FerryException("Timed out after " + seconds(timeout) + " trying to describe topics "
                        + names, e);
            }
            return specs.stream().allMatch(spec -> {
                TopicDescription description = described.get(spec.name());
                return description != null && description.partitions().size() >= spec.partitions()
                        && description.partitions().stream().allMatch(p -> p.leader() != null);
            }) && leadersServe(described); // created a moment ago by another process: it must serve, too
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted while describing topics", e);
        }
    }

    /**
     * Creates those of {@code specs} that do not exist and never touches one that does: for users' own topics (a
     * trigger's destination and failure topics, issue 14), whose partitions and configs are theirs to set, not
     * Ferry's. A topic someone else creates meanwhile is left as they made it.
     *
     * @throws FerryException when the cluster refuses a creation or does not answer
     */
    public void createIfMissing(Collection<TopicSpec> specs) {
        if (specs.isEmpty()) {
            return;
        }
        int brokers = await(admin.describeCluster().nodes(), "describe the cluster").size();
        Set<String> existing = existing(specs);
        List<NewTopic> toCreate = new ArrayList<>();
        for (TopicSpec spec : specs) {
            if (!existing.contains(spec.name())) {
                short replication = (short) Math.max(1, Math.min(spec.replicationFactor(), brokers));
                toCreate.add(new NewTopic(spec.name(), spec.partitions(), replication)
                        .configs(spec.configsFor(replication)));
            }
        }
        create(toCreate);
        awaitLeaders(specs.stream().map(TopicSpec::name).toList());
    }

    /**
     * A new share group starts at the latest offset (KIP-932), so records produced before its first member joined
     * would never be seen. Ferry's worker groups must see every invocation routed to them, so their start is set
     * to the earliest offset before the first member joins. Idempotent.
     */
    public void startShareGroupAtEarliest(String groupId) {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, groupId);
        AlterConfigOp earliest = new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
                AlterConfigOp.OpType.SET);
        await(admin.incrementalAlterConfigs(Map.of(group, List.of(earliest))).all(),
                "set share.auto.offset.reset=earliest on share group " + groupId);
    }

    /**
     * Which of {@code specs}' topics exist, asked of those topics alone ({@link #existing(Admin, Collection)}).
     */
    private Set<String> existing(Collection<TopicSpec> specs) {
        return existing(admin, specs.stream().map(TopicSpec::name).toList());
    }

    /**
     * Which of {@code names} exist, asked of those topics alone (a describe): listing every topic of the cluster to
     * learn about a few cost each function's deploy, and each trigger replica's start, a listing of thousands of
     * names when thousands of functions are deployed.
     *
     * @throws FerryException when a describe fails for another reason than an unknown topic, or times out
     */
    public static Set<String> existing(Admin admin, Collection<String> names) {
        Set<String> existing = new HashSet<>();
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(names.stream().distinct()
                .toList()).topicNameValues();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : described.entrySet()) {
            try {
                topic.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                existing.add(topic.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new FerryException("Cannot describe topic " + topic.getKey() + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new FerryException("Timed out describing topic " + topic.getKey(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("Interrupted while describing topic " + topic.getKey(), e);
            }
        }
        return existing;
    }

    /** Creates the topics; answers those that already existed. */
    private Set<String> create(List<NewTopic> topics) {
        Set<String> existed = new HashSet<>();
        if (topics.isEmpty()) {
            return existed;
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                result.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                log.info("Created topic {}", result.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new FerryException("Cannot create topic " + result.getKey() + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
                // Another instance created it between our describe and our request: that is what we wanted.
                existed.add(result.getKey());
            } catch (TimeoutException e) {
                throw new FerryException("Timed out creating topic " + result.getKey(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("Interrupted while creating topic " + result.getKey(), e);
            }
        }
        return existed;
    }

    private void grow(List<TopicSpec> present) {
        if (present.isEmpty()) {
            return;
        }
        List<String> names = present.stream().map(TopicSpec::name).toList();
        awaitLeaders(names); // a topic created a moment ago may still be propagating
        Map<String, TopicDescription> descriptions = await(admin.describeTopics(names).allTopicNames(),
                "describe topics");
        Map<String, NewPartitions> increases = new HashMap<>();
        for (TopicSpec spec : present) {
            TopicDescription description = descriptions.get(spec.name());
            if (description != null && description.partitions().size() < spec.partitions()) {
                increases.put(spec.name(), NewPartitions.increaseTo(spec.partitions()));
            }
        }
        if (!increases.isEmpty()) {
            await(admin.createPartitions(increases).all(), "add partitions to " + increases.keySet());
            log.info("Grew partitions of {}", increases.keySet());
        }
    }

    /**
     * A topic users read keeps a codec every client decodes (issue 12): an existing one whose
     * {@code compression.type} differs from Ferry's (created by an older Ferry, or by hand) is set to it, so new
     * batches are stored in that codec whichever producer wrote them. Without the right to alter configs, Ferry
     * warns and goes on: its own producers of those topics use the same codec anyway.
     */
    private void alignCompression(List<TopicSpec> present) {
        String key = org.apache.kafka.common.config.TopicConfig.COMPRESSION_TYPE_CONFIG;
        List<TopicSpec> specified = present.stream().filter(s -> s.configs().containsKey(key)).toList();
        if (specified.isEmpty()) {
            return;
        }
        Map<ConfigResource, TopicSpec> resources = new HashMap<>();
        specified.forEach(s -> resources.put(new ConfigResource(ConfigResource.Type.TOPIC, s.name()), s));
        try {
            Map<ConfigResource, Config> current = await(admin.describeConfigs(resources.keySet()).all(),
                    "describe topic configs");
            Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
            resources.forEach((resource, spec) -> {
                ConfigEntry entry = current.get(resource) == null ? null : current.get(resource).get(key);
                if (entry == null || !spec.configs().get(key).equals(entry.value())) {
                    List<AlterConfigOp> ops = new ArrayList<>();
                    spec.configs().forEach((name, value) -> {
                        if (name.startsWith("compression.")) {
                            ops.add(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET));
                        }
                    });
                    changes.put(resource, ops);
                }
            });
            if (!changes.isEmpty()) {
                await(admin.incrementalAlterConfigs(changes).all(), "set compression.type");
                log.info("Set the compression of {} to what every client decodes",
                        changes.keySet().stream().map(ConfigResource::name).toList());
            }
        } catch (FerryException e) {
            log.warn("Cannot align the compression.type of {}: {}", specified.stream().map(TopicSpec::name).toList(),
                    e.getMessage());
        }
    }

    /**
     * The controller acknowledges a new topic or partition before every broker knows it; a producer or a describe
     * call in that gap fails with UnknownTopicOrPartition. Callers write at once, so wait until every partition
     * has a leader.
     */
    private void awaitLeaders(List<String> names) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                // What is left of the one wait, not a new one: two unanswered calls were twice the time said.
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames()
                        .get(left, TimeUnit.MILLISECONDS);
                if (described.values().stream().flatMap(d -> d.partitions().stream()).allMatch(p -> p.leader() != null)
                        && leadersServe(described)) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new FerryException("Cannot describe topics " + names + ": " + e.getCause().getMessage(),
                            e.getCause());
                }
            } catch (TimeoutException e) {
                // fall through to the deadline check
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("Interrupted while waiting for topics " + names, e);
            }
            if (System.nanoTime() > deadline) {
                throw new FerryException("Topics " + names + " have no leader for every partition after "
                        + seconds(timeout));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("Interrupted while waiting for topics " + names, e);
            }
        }
    }

    /**
     * Whether every partition's leader already serves it. The metadata a describe call reads can name a leader before
     * that broker's replica manager has taken the partition on; a producer's first batch in that gap fails with
     * NOT_LEADER_OR_FOLLOWER, and an idempotent producer's retry of it could then be refused as out of sequence
     * forever (seen in the worker's tests right after a work topic was created). A ListOffsets request is answered
     * by the leader's replica manager itself, so its success means a write will be taken.
     */
    private boolean leadersServe(Map<String, TopicDescription> described) {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        described.forEach((name, description) -> description.partitions()
                .forEach(p -> partitions.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        try {
            admin.listOffsets(partitions).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted while waiting for topics " + described.keySet(), e);
        }
    }

    /** {@code 30 s}, or {@code 0.3 s} for a timeout under a second (tests). */
    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() / 1000.0 + " s";
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        return AdminCalls.await(future, what);
    }
}

package dev.ferry.core.kafka;

import dev.ferry.core.FerryException;
import dev.ferry.core.topics.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
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

    public TopicProvisioner(Admin admin) {
        this.admin = admin;
    }

    public void ensure(TopicSpec... specs) {
        ensure(List.of(specs));
    }

    public void ensure(Collection<TopicSpec> specs) {
        if (specs.isEmpty()) {
            return;
        }
        int brokers = await(admin.describeCluster().nodes(), "describe the cluster").size();
        Set<String> existing = await(admin.listTopics().names(), "list topics");

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
        create(toCreate);
        grow(present);
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

    private void create(List<NewTopic> topics) {
        if (topics.isEmpty()) {
            return;
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            try {
                result.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                log.info("Created topic {}", result.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new FerryException("Cannot create topic " + result.getKey() + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
                // Another instance created it between our listing and our request: that is what we wanted.
            } catch (TimeoutException e) {
                throw new FerryException("Timed out creating topic " + result.getKey(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("Interrupted while creating topic " + result.getKey(), e);
            }
        }
    }

    private void grow(List<TopicSpec> present) {
        if (present.isEmpty()) {
            return;
        }
        List<String> names = present.stream().map(TopicSpec::name).toList();
        awaitLeaders(names); // listed is not yet described: a topic created a moment ago may still be propagating
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
     * The controller acknowledges a new topic or partition before every broker knows it; a producer or a describe
     * call in that gap fails with UnknownTopicOrPartition. Callers write at once, so wait until every partition
     * has a leader.
     */
    private void awaitLeaders(List<String> names) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames()
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (described.values().stream().flatMap(d -> d.partitions().stream()).allMatch(p -> p.leader() != null)) {
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
                        + TIMEOUT.toSeconds() + " s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("Interrupted while waiting for topics " + names, e);
            }
        }
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new FerryException("Cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new FerryException("Timed out after " + TIMEOUT.toSeconds() + " s trying to " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted while trying to " + what, e);
        }
    }
}

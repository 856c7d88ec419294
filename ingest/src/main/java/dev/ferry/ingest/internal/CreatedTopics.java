package dev.ferry.ingest.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.kafka.AdminCalls;
import dev.ferry.core.kafka.CompactedPublisher;
import dev.ferry.core.kafka.CompactedTable;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TopicListing;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics trigger PUTs created (a missing {@code destination} or {@code onFailure}), and their partitions, which
 * the platform's partition budget counts ({@code topic.work.max.total.partitions}): before, only work topics were
 * counted, so a tenant naming new destination topics grew the brokers' partitions without bound.
 *
 * <p>Such a topic is the user's, named as the user chose, so nothing on the broker tells it from any other: the
 * gateway that creates one writes it to the compacted {@code ferry.trigger-topics}, key the topic's name, value
 * {@code <tenant>/<topic>/<topic id>} as UTF-8 text (no schema). It stays counted when its trigger is deleted or
 * names another topic (the topic stays on the brokers, as a deleted function's work topic does), until an operator
 * deletes the topic: only a topic that exists with the id it was created with is counted, so one deleted and made
 * again by someone else is not Ferry's any more. A topic that existed before a trigger named it was not created by
 * Ferry and is never counted. Thread-safe; {@link #partitions} blocks on Admin calls.
 */
public final class CreatedTopics implements AutoCloseable {

    /** One topic a trigger PUT created, as the ledger holds it. */
    public record Created(String tenant, String topic, String id) {
    }

    private static final Logger log = LoggerFactory.getLogger(CreatedTopics.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final Comparator<String> ORDER = Comparator.naturalOrder();

    private final Admin admin;
    private final CompactedTable<String, String> ledger;
    private final CompactedPublisher<String> publisher;
    /** What this gateway created, counted before its ledger record has come back through the table. */
    private final Map<String, Created> recent = new ConcurrentHashMap<>();

    public CreatedTopics(KafkaClients clients, TopicCatalog topics, Admin admin) {
        this.admin = admin;
        this.ledger = new CompactedTable<>(clients, topics.platformTopic(topics.triggerTopics()),
                Function.identity(), new StringDeserializer(), "ferry-gateway-trigger-topics");
        this.publisher = new CompactedPublisher<>(clients, topics.triggerTopics(), new StringSerializer(),
                "ferry-gateway-trigger-topics");
    }

    /** Starts reading the ledger; returns once it is read to its end, or after {@code timeout} with a warning. */
    public CreatedTopics start(Duration timeout) {
        ledger.start();
        if (!ledger.awaitCaughtUp(timeout)) {
            log.warn("The ledger of topics triggers created was not read to its end within {} s: the partition "
                    + "budget counts what it read so far", timeout.toSeconds());
        }
        return this;
    }

    /**
     * Records that a trigger PUT of {@code tenant} created {@code names} (each existing now): their ids are read and
     * written to the ledger, and counted by this gateway at once.
     *
     * @throws FerryException when the cluster or the ledger's topic does not answer
     */
    public void record(String tenant, List<String> names) {
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(names).topicNameValues();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : described.entrySet()) {
            TopicDescription description = AdminCalls.await(topic.getValue(), "describe " + topic.getKey(), TIMEOUT);
            Created created = new Created(tenant, topic.getKey(), description.topicId().toString());
            recent.put(created.topic(), created);
            publisher.put(created.topic(), created.tenant() + "/" + created.topic() + "/" + created.id());
        }
    }

    /**
     * The partition count of each topic trigger PUTs created that is still on the cluster with the id it was
     * created with, by topic name.
     *
     * @throws FerryException when the cluster does not answer a listing or a describe within 15 s
     */
    public Map<String, Held> partitions() {
        Map<String, Created> all = new HashMap<>();
        for (String value : ledger.all(ORDER)) {
            String[] parts = value.split("/", 3);
            if (parts.length == 3) {
                all.put(parts[1], new Created(parts[0], parts[1], parts[2]));
            }
        }
        all.putAll(recent);
        Map<String, Held> held = new HashMap<>();
        if (all.isEmpty()) {
            return held;
        }
        Collection<TopicListing> listings = AdminCalls.await(admin.listTopics().listings(),
                "list the cluster's topics", TIMEOUT);
        List<String> ours = listings.stream().filter(listing -> {
            Created created = all.get(listing.name());
            return created != null && created.id().equals(listing.topicId().toString());
        }).map(TopicListing::name).toList();
        if (ours.isEmpty()) {
            return held;
        }
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(ours).topicNameValues();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : described.entrySet()) {
            try {
                TopicDescription description = AdminCalls.await(topic.getValue(), "describe " + topic.getKey(),
                        TIMEOUT);
                held.put(topic.getKey(), new Held(all.get(topic.getKey()).tenant(),
                        description.partitions().size()));
            } catch (FerryException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
        }
        return held;
    }

    /** A created topic's tenant and partition count. */
    public record Held(String tenant, int partitions) {
    }

    @Override
    public void close() {
        publisher.close();
        ledger.close();
    }
}

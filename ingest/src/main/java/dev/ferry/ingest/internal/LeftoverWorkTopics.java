package dev.ferry.ingest.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.kafka.AdminCalls;
import dev.ferry.core.topics.TopicCatalog;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TopicListing;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The work topics deleted functions left on the brokers, and their partitions: {@code DELETE /v1/functions/{name}}
 * keeps the topic (its queued calls are answered from it, and a function created again under the name starts past
 * them, {@code workStartOffsets}), so its partitions cost every broker as much as a deployed function's until an
 * operator deletes it. The partition budget counts them ({@code topic.work.max.total.partitions}); before, a tenant
 * creating wide functions under new names and deleting them grew the brokers' partitions without bound.
 *
 * <p>Each call lists the cluster's topics once (names only) and describes only the leftover topics it has not seen
 * before: a leftover topic's partition count does not change while no function of its name exists (nothing grows
 * it), so it is kept by name and topic id (a topic deleted and made again has another id). A topic whose function
 * exists again is live, not leftover, and forgotten here (its function may grow it). Thread-safe; blocks on Admin
 * calls.
 */
public final class LeftoverWorkTopics {

    /** How long one Admin call may take before the cluster counts as not answering. */
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final Admin admin;
    private final TopicCatalog topics;
    private final Duration timeout;
    private final Map<String, Known> known = new HashMap<>();

    private record Known(Uuid id, int partitions) {
    }

    /** @param admin the gateway's, open for as long as this is used */
    public LeftoverWorkTopics(Admin admin, TopicCatalog topics) {
        this(admin, topics, TIMEOUT);
    }

    LeftoverWorkTopics(Admin admin, TopicCatalog topics, Duration timeout) {
        this.admin = admin;
        this.topics = topics;
        this.timeout = timeout;
    }

    /** What the work topics' names look like, for messages ({@link TopicCatalog#workPattern()}). */
    public String pattern() {
        return topics.workPattern();
    }

    /**
     * The partition count of each work topic on the cluster (this installation's prefix) whose function is not
     * {@code live}, by function; a function whose topic does not exist is absent.
     *
     * @param live whether a function exists (its topic is then counted through its spec, not here)
     * @throws FerryException when the cluster does not answer a listing or a describe within 15 s
     */
    public synchronized Map<FunctionRef, Integer> partitions(Predicate<FunctionRef> live) {
        Collection<TopicListing> listings = await(admin.listTopics().listings(), "list the cluster's topics");
        Map<String, FunctionRef> leftover = new HashMap<>();
        Map<String, Uuid> ids = new HashMap<>();
        for (TopicListing listing : listings) {
            Optional<FunctionRef> ref = topics.parseWork(listing.name());
            if (ref.isPresent() && !live.test(ref.get())) {
                leftover.put(listing.name(), ref.get());
                ids.put(listing.name(), listing.topicId());
            }
        }
        known.keySet().retainAll(leftover.keySet());
        List<String> unseen = leftover.keySet().stream()
                .filter(name -> known.get(name) == null || !known.get(name).id().equals(ids.get(name))).toList();
        if (!unseen.isEmpty()) {
            Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(unseen).topicNameValues();
            for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : described.entrySet()) {
                try {
                    TopicDescription description = await(topic.getValue(), "describe " + topic.getKey());
                    known.put(topic.getKey(), new Known(description.topicId(), description.partitions().size()));
                } catch (FerryException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                    leftover.remove(topic.getKey()); // deleted since it was listed
                }
            }
        }
        Map<FunctionRef, Integer> partitions = new HashMap<>();
        leftover.forEach((name, ref) -> {
            Known topic = known.get(name);
            if (topic != null) {
                partitions.put(ref, topic.partitions());
            }
        });
        return partitions;
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        return AdminCalls.await(future, what, timeout);
    }
}

package dev.ferry.worker.internal.trigger;

import dev.ferry.core.FerryException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka topic id ({@link Uuid}) of the source topic each record came from, a part of its invocation id
 * (docs/design.md section 10 "Invocation ids"): a topic deleted and re-created under the same name has a new id, so
 * its records, at the old offsets again, do not get the ids of the old topic's invocations (which metering's dedup
 * would drop as already billed; tester 12A, finding 3). The consumers do not tell a record's topic id, so it is asked
 * of the broker (one {@code describeTopics} of that one topic) when a topic is first seen, and again whenever a
 * partition's records go back in offset (a seek, a rebalance's restart from the committed offset, a redelivery of a
 * share group, or an offset reset onto a re-created topic): records read again at offsets already read are the only
 * ones whose coordinates can repeat, and a topic unchanged answers the same id, so a re-run keeps its id.
 *
 * <p>A re-created topic found either way is also reported once ({@link #takeRecreated}): a replica that committed
 * the old topic's offsets starts over, since Kafka 4.4's producer names a topic in {@code TxnOffsetCommit} by the
 * id its own metadata holds (KIP-1319), which may still be the deleted topic's, and resends that id on
 * {@code UNKNOWN_TOPIC_ID} until its {@code max.block.ms}. Polling thread only.
 */
final class SourceTopicIds {

    private static final Logger log = LoggerFactory.getLogger(SourceTopicIds.class);

    /** Asks the broker for a topic's id; throws when it cannot say. */
    interface Lookup {
        Uuid idOf(String topic);
    }

    private final Lookup lookup;
    private final String name;
    private final Map<String, Uuid> ids = new HashMap<>();
    /** The offset after the last record seen, per partition. */
    private final Map<TopicPartition, long[]> next = new HashMap<>();
    private TopicPartition lastPartition;
    private long[] lastNext;
    /** A topic read before was found with another id since {@link #takeRecreated} was last asked. */
    private boolean recreated;

    SourceTopicIds(Lookup lookup, String name) {
        this.lookup = lookup;
        this.name = name;
    }

    /** Topic ids as {@code admin} describes them, 30 s at most per topic. */
    static Lookup of(Admin admin) {
        return topic -> {
            try {
                return admin.describeTopics(List.of(topic)).topicNameValues().get(topic).get(30, TimeUnit.SECONDS)
                        .topicId();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    throw new FerryException("source topic(s) [" + topic + "] do not exist");
                }
                throw new FerryException("Cannot describe source topic '" + topic + "': " + e.getCause(), e);
            } catch (TimeoutException e) {
                throw new FerryException("Cannot describe source topic '" + topic + "' within 30 s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FerryException("Interrupted while describing source topic '" + topic + "'", e);
            }
        };
    }

    /** The id of the topic {@code record} was read from, asked again when its partition went back in offset. */
    Uuid of(ConsumerRecord<?, ?> record) {
        long[] seen = lastNext;
        TopicPartition tp = lastPartition;
        if (tp == null || tp.partition() != record.partition() || !tp.topic().equals(record.topic())) {
            tp = new TopicPartition(record.topic(), record.partition());
            seen = next.computeIfAbsent(tp, p -> new long[] {-1});
            lastPartition = tp;
            lastNext = seen;
        }
        Uuid id = ids.get(record.topic());
        if (id == null || record.offset() < seen[0]) {
            id = ask(record.topic());
        }
        seen[0] = record.offset() + 1;
        return id;
    }

    /**
     * Asks the broker for {@code topic}'s id now, as when a record's offset went back: for a position the consumer
     * found past a partition's end, which a topic re-created under it gives as well as a truncated log does.
     * Returns whether the topic is known with another id than before (then {@link #takeRecreated} says so too).
     */
    boolean recreated(String topic) {
        Uuid before = ids.get(topic);
        return before != null && !before.equals(ask(topic));
    }

    /** Whether a source topic read before was found re-created since the last call; clears it. */
    boolean takeRecreated() {
        boolean found = recreated;
        recreated = false;
        return found;
    }

    private Uuid ask(String topic) {
        Uuid before = ids.get(topic);
        Uuid now = lookup.idOf(topic);
        if (before != null && !before.equals(now)) {
            log.info("[{}] source topic '{}' was re-created (topic id {}, was {}): its records get new "
                    + "invocation ids", name, topic, now, before);
            recreated = true;
        }
        ids.put(topic, now);
        return now;
    }
}

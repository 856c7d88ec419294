package dev.ferry.core.kafka;

import dev.ferry.core.FerryException;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.topics.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live, local copy of a compacted catalog topic ({@code ferry.functions}, {@code ferry.triggers}): read from its
 * beginning and kept current by a {@link TopicTail}, keyed by a parsed record key, a tombstone removing the entry.
 * The directories of functions and triggers are this table with their own key and value types.
 *
 * <p>It reads without a consumer group. A record with a bad key or an undecodable value is logged, counted and
 * skipped by the tail: one bad entry must not hide every other. Listeners are called on the reader thread, in
 * topic order per key; a new listener first gets the current entries replayed.
 *
 * @param <K> the entry's identity, parsed from the UTF-8 record key
 * @param <V> the entry, decoded from the record value
 */
public final class CompactedTable<K, V> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CompactedTable.class);

    /** Told of every change; called on the table's reader thread, so keep it quick. */
    public interface Listener<K, V> {
        void upserted(K key, V value);

        void removed(K key);
    }

    private final KafkaClients clients;
    private final TopicSpec topic;
    private final Function<String, K> keyParser;
    private final Deserializer<V> deserializer;
    private final Map<K, V> entries = new ConcurrentHashMap<>();
    private final List<Listener<K, V>> listeners = new CopyOnWriteArrayList<>();
    private final Object dispatchLock = new Object();
    private final TopicTail tail;
    /** Counts the changes applied to {@code entries}; raised after each, so a snapshot taken at N holds them all. */
    private final AtomicLong version = new AtomicLong();
    private volatile Sorted<V> lastSorted;

    /** An answer of {@link #all}: its order, the version it was read at, and the entries. */
    private record Sorted<V>(Comparator<V> order, long version, List<V> entries) {
    }

    /**
     * @param topic       the compacted topic, created with these settings on {@link #start()} if missing
     * @param keyParser   parses a record key; throws {@link IllegalArgumentException} for a bad one
     * @param threadName  the reader thread's name
     */
    public CompactedTable(KafkaClients clients, TopicSpec topic, Function<String, K> keyParser,
            Deserializer<V> deserializer, String threadName) {
        this.clients = clients;
        this.topic = topic;
        this.keyParser = keyParser;
        this.deserializer = deserializer;
        this.tail = TopicTail.builder(clients, topic.name(), this::apply).name(threadName)
                .from(TopicTail.Start.beginning()).build();
    }

    /** Starts reading; creates the topic if it does not exist yet. */
    public synchronized CompactedTable<K, V> start() {
        if (tail.state() != TopicTail.State.CREATED) {
            return this;
        }
        try (Admin admin = clients.admin(tail.name() + "-admin")) {
            new TopicProvisioner(admin).ensure(topic);
        }
        tail.start();
        return this;
    }

    /** Waits until every record present now has been read; true if it was in time. */
    public boolean awaitCaughtUp(Duration timeout) {
        return tail.awaitReadToEnd(timeout);
    }

    public TopicTail tail() {
        return tail;
    }

    /** Ready once the table has read its topic to the end and follows it live. */
    public ReadinessCheck readiness() {
        return tail.readiness();
    }

    public Optional<V> get(K key) {
        return Optional.ofNullable(entries.get(key));
    }

    /**
     * Every entry, in the order of {@code order}, unmodifiable. The same list (the same object) is answered until
     * the table changes, for as long as callers ask with the same comparator object: an idle autoscaler asks every
     * second, and sorting 1,000 functions each time was one of its largest idle costs (issue 16).
     */
    public List<V> all(Comparator<V> order) {
        long at = version.get();
        Sorted<V> last = lastSorted;
        if (last != null && last.order() == order && last.version() == at) {
            return last.entries();
        }
        List<V> all = new ArrayList<>(entries.values());
        all.sort(order);
        List<V> sorted = List.copyOf(all);
        lastSorted = new Sorted<>(order, at, sorted);
        return sorted;
    }

    public void addListener(Listener<K, V> listener) {
        synchronized (dispatchLock) {
            entries.forEach(listener::upserted);
            listeners.add(listener);
        }
    }

    public void removeListener(Listener<K, V> listener) {
        listeners.remove(listener);
    }

    @Override
    public void close() {
        tail.close();
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        K key;
        try {
            if (record.key() == null) {
                throw new FerryException("record has no key");
            }
            key = keyParser.apply(new String(record.key(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new FerryException("Bad key in " + topic.name() + ": " + e.getMessage(), e);
        }
        synchronized (dispatchLock) {
            if (record.value() == null) {
                if (entries.remove(key) != null) {
                    version.incrementAndGet();
                    listeners.forEach(l -> notify(() -> l.removed(key), key));
                }
                return;
            }
            V value;
            try {
                value = deserializer.deserialize(record.topic(), record.headers(), record.value());
            } catch (RuntimeException e) {
                throw new FerryException("Undecodable entry for " + key + " in " + topic.name() + ": "
                        + e.getMessage(), e);
            }
            entries.put(key, value);
            version.incrementAndGet();
            listeners.forEach(l -> notify(() -> l.upserted(key, value), key));
        }
    }

    private void notify(Runnable call, K key) {
        try {
            call.run();
        } catch (RuntimeException e) {
            // A failing listener must not stop the table for everyone else.
            log.error("Listener of {} failed on {}", topic.name(), key, e);
        }
    }
}

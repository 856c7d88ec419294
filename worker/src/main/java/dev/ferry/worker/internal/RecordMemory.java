package dev.ferry.worker.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BinaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A value remembered per work record, by the record's coordinates (topic, partition, offset) rather than anything
 * in it, and bounded: the oldest of {@code capacity} entries is forgotten first. What {@link AnsweredAttempts} and
 * {@link UnrunReleases} keep. Thread-safe.
 *
 * @param <V> what is remembered of a record
 */
final class RecordMemory<V> {

    private record Coordinates(String topic, int partition, long offset) {
    }

    private final Map<Coordinates, V> values;

    RecordMemory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.values = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Coordinates, V> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized void put(ConsumerRecord<?, ?> record, V value) {
        values.put(of(record), value);
    }

    synchronized void merge(ConsumerRecord<?, ?> record, V value, BinaryOperator<V> merger) {
        values.merge(of(record), value, merger);
    }

    /** What is remembered of the record, or null. */
    synchronized V get(ConsumerRecord<?, ?> record) {
        return values.get(of(record));
    }

    private static Coordinates of(ConsumerRecord<?, ?> record) {
        return new Coordinates(record.topic(), record.partition(), record.offset());
    }
}

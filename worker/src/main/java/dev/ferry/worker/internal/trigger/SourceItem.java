package dev.ferry.worker.internal.trigger;

import dev.ferry.core.triggers.SourceValue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * A source record that passed decoding and the filter, with its decoded value: one element of a batch.
 *
 * @param topicId the Kafka id of the topic it was read from ({@link SourceTopicIds}), a part of its invocation id
 */
public record SourceItem(ConsumerRecord<byte[], byte[]> record, SourceValue value, Uuid topicId) {

    /** An item of a topic whose id is not known ({@link Uuid#ZERO_UUID}): for tests. */
    public SourceItem(ConsumerRecord<byte[], byte[]> record, SourceValue value) {
        this(record, value, Uuid.ZERO_UUID);
    }

    public TopicPartition partition() {
        return new TopicPartition(record.topic(), record.partition());
    }

    public long offset() {
        return record.offset();
    }

    /** {@code topic-partition@offset}, for messages. */
    public String where() {
        return where(record);
    }

    static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}

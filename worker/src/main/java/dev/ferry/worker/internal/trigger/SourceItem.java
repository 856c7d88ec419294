package dev.ferry.worker.internal.trigger;

import dev.ferry.core.triggers.SourceValue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** A source record that passed decoding and the filter, with its decoded value: one element of a batch. */
public record SourceItem(ConsumerRecord<byte[], byte[]> record, SourceValue value) {

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

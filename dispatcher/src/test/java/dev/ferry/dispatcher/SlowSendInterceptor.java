package dev.ferry.dispatcher;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Makes each send of a dispatcher take a couple of milliseconds, so its transactions stay open long enough for a
 * crash test to kill it inside one (on a fast machine a batch commits in a few milliseconds and a kill would
 * almost always land between transactions, testing nothing). Kafka client settings reach every client of a
 * Ferry process, so this is a consumer interceptor too, one that does nothing.
 */
public final class SlowSendInterceptor implements ProducerInterceptor<Object, Object>,
        ConsumerInterceptor<Object, Object> {

    private static final long DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
        LockSupport.parkNanos(DELAY_NANOS);
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    }

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}

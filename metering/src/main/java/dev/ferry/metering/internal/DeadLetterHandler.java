package dev.ferry.metering.internal;

import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.metrics.FerryMetrics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A result metering cannot decode goes to {@code ferry.dlq} with Ferry's error headers and metering moves on: one bad
 * record must not stop billing for everyone (docs/design.md, "nothing is dropped silently"). Under exactly_once_v2 the
 * dead letter is written in the same transaction as the offsets.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {

    /** The Streams config key carrying the dead-letter topic to this handler. */
    public static final String DLQ_TOPIC_CONFIG = "ferry.metering.dlq.topic";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

    private String dlqTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(DLQ_TOPIC_CONFIG);
        this.dlqTopic = topic == null ? null : topic.toString();
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
            Exception exception) {
        LOG.warn("Undecodable result at {}-{}@{}, sent to {}: {}", record.topic(), record.partition(),
                record.offset(), dlqTopic, exception.toString());
        FerryMetrics.registry().counter("ferry.metering.undecodable.records", "outcome",
                dlqTopic == null ? "skipped" : "dead_lettered").increment();
        if (dlqTopic == null) {
            return Response.resume();
        }
        return Response.resume(List.of(DeadLetters.of(dlqTopic, record, exception, 0)));
    }
}

package dev.ferry.metering.internal;

import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.metrics.FerryMetrics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What metering does with a record Kafka Streams cannot write (issue 11): never fail the thread over one record.
 * A transient broker error is retried; anything else (a record over a size limit, one that cannot be serialized)
 * is logged with its reason and source position, counted ({@code ferry_oversized_records_total{stage="metering"}}
 * or {@code ferry_metering_unwritable_records_total}), its source record is copied to {@code ferry.dlq} when Streams
 * still holds it, and billing goes on.
 *
 * <p>Under {@code exactly_once_v2} the producer has already marked the transaction for abort when a send fails, so
 * no handler answer can keep that transaction: the batch is replayed. That is why the topology itself never sends
 * a record that can be over a limit (only the billing fields cross the repartition topic, and the Streams producer
 * and internal topics take the platform's limits, {@code MeteringTopology#streamsProperties}); this handler is the
 * net under that rule, and the whole answer under {@code at_least_once}.
 */
public final class ProductionErrorHandler implements ProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProductionErrorHandler.class);

    private String dlqTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(DeadLetterHandler.DLQ_TOPIC_CONFIG);
        this.dlqTopic = topic == null ? null : topic.toString();
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
            Exception exception) {
        if (exception instanceof RetriableException) {
            return Response.retry();
        }
        return skip(context, record.topic(), exception, record.value() == null ? 0 : record.value().length);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
            SerializationExceptionOrigin origin) {
        return skip(context, record.topic(), exception, -1);
    }

    private Response skip(ErrorHandlerContext context, String topic, Exception exception, int valueBytes) {
        boolean tooLarge = exception instanceof RecordTooLargeException;
        ProducerRecord<byte[], byte[]> deadLetter = deadLetter(context, topic, exception);
        String outcome = deadLetter == null ? "skipped" : "dead_lettered";
        LOG.error("Metering could not write a record to {} ({}{}), from the result at {}-{}@{}; {} and billing goes "
                        + "on: {}", topic, tooLarge ? "over the size limit" : "not writable",
                valueBytes >= 0 ? ", value of " + valueBytes + " bytes" : "", context.topic(), context.partition(),
                context.offset(), deadLetter == null ? "it is skipped" : "its source goes to " + dlqTopic,
                exception.toString());
        if (tooLarge) {
            FerryMetrics.oversized("metering", outcome);
        } else {
            FerryMetrics.registry().counter("ferry.metering.unwritable.records", "outcome", outcome).increment();
        }
        return deadLetter == null ? Response.resume() : Response.resume(List.of(deadLetter));
    }

    /** The source result as a dead letter, or null when there is none to write (or it failed on the way there). */
    private ProducerRecord<byte[], byte[]> deadLetter(ErrorHandlerContext context, String failedTopic,
            Exception exception) {
        if (dlqTopic == null || dlqTopic.equals(failedTopic) || context.topic() == null
                || context.sourceRawValue() == null) {
            return null;
        }
        byte[] key = context.sourceRawKey();
        byte[] value = context.sourceRawValue();
        ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>(context.topic(), context.partition(),
                context.offset(), context.timestamp(), TimestampType.CREATE_TIME, key == null ? -1 : key.length,
                value.length, key, value, context.headers(), java.util.Optional.empty());
        return DeadLetters.of(dlqTopic, source, exception, 0);
    }
}

package dev.ferry.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.kafka.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Response;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.SerializationExceptionOrigin;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class ProductionErrorHandlerTest {

    private static final byte[] SOURCE = "the result".getBytes(StandardCharsets.UTF_8);

    private final ProductionErrorHandler handler = configured();

    @Test
    void shouldResumeAndDeadLetterTheSourceResultWhenARecordIsTooLargeToWrite() {
        Response response = handler.handleError(context(SOURCE), record("app-by-function-repartition"),
                new RecordTooLargeException("over max.request.size"));

        assertThat(response.result()).isEqualTo(Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(1);
        ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
        assertThat(dead.topic()).isEqualTo("ferry.dlq");
        assertThat(dead.value()).isEqualTo(SOURCE);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ORIGINAL_TOPIC)).isEqualTo("ferry.results");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ORIGINAL_OFFSET)).isEqualTo("42");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_CLASS))
                .isEqualTo(RecordTooLargeException.class.getName());
    }

    @Test
    void shouldResumeWithoutAnotherDeadLetterWhenTheDeadLetterItselfCannotBeWritten() {
        Response response = handler.handleError(context(SOURCE), record("ferry.dlq"),
                new RecordTooLargeException("over the DLQ's limit"));

        assertThat(response.result()).isEqualTo(Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void shouldResumeWithoutADeadLetterWhenStreamsNoLongerHoldsTheSourceRecord() {
        Response response = handler.handleError(context(null), record("ferry.usage"),
                new RecordTooLargeException("too large"));

        assertThat(response.result()).isEqualTo(Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void shouldRetryWhenTheBrokerIsOnlySlow() {
        Response response = handler.handleError(context(SOURCE), record("ferry.usage"),
                new TimeoutException("expired"));

        assertThat(response.result()).isEqualTo(Result.RETRY);
    }

    @Test
    void shouldResumeAndDeadLetterTheSourceWhenARecordCannotBeSerialized() {
        Response response = handler.handleSerializationError(context(SOURCE), record("ferry.usage"),
                new IllegalStateException("no schema"), SerializationExceptionOrigin.VALUE);

        assertThat(response.result()).isEqualTo(Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).extracting(ProducerRecord::value).containsExactly(SOURCE);
    }

    private static ProductionErrorHandler configured() {
        ProductionErrorHandler handler = new ProductionErrorHandler();
        handler.configure(Map.of(DeadLetterHandler.DLQ_TOPIC_CONFIG, "ferry.dlq"));
        return handler;
    }

    private static ProducerRecord<byte[], byte[]> record(String topic) {
        return new ProducerRecord<>(topic, "k".getBytes(StandardCharsets.UTF_8), new byte[16]);
    }

    private static ErrorHandlerContext context(byte[] rawValue) {
        return new ErrorHandlerContext() {
            @Override
            public String topic() {
                return "ferry.results";
            }

            @Override
            public int partition() {
                return 1;
            }

            @Override
            public long offset() {
                return 42;
            }

            @Override
            public Headers headers() {
                return new RecordHeaders();
            }

            @Override
            public String processorNodeId() {
                return "by-function-repartition-sink";
            }

            @Override
            public TaskId taskId() {
                return new TaskId(0, 1);
            }

            @Override
            public long timestamp() {
                return 1000L;
            }

            @Override
            public byte[] sourceRawKey() {
                return "id".getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public byte[] sourceRawValue() {
                return rawValue;
            }
        };
    }
}

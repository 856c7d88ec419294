package dev.ferry.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.kafka.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Response;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Result;
import org.junit.jupiter.api.Test;

class DeadLetterHandlerTest {

    @Test
    void shouldResumeWithFerryDeadLetterWhenResultCannotBeDecoded() {
        DeadLetterHandler handler = new DeadLetterHandler();
        handler.configure(Map.of(DeadLetterHandler.DLQ_TOPIC_CONFIG, "ferry.dlq"));
        ConsumerRecord<byte[], byte[]> bad = new ConsumerRecord<>("ferry.results", 3, 42L,
                "id".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8));

        Response response = handler.handleError(null, bad, new IllegalArgumentException("Unknown magic byte"));

        assertThat(response.result()).isEqualTo(Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(1);
        ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
        assertThat(dead.topic()).isEqualTo("ferry.dlq");
        assertThat(dead.value()).isEqualTo(bad.value());
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ORIGINAL_TOPIC)).isEqualTo("ferry.results");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ORIGINAL_PARTITION)).isEqualTo("3");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ORIGINAL_OFFSET)).isEqualTo("42");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_MESSAGE)).isEqualTo("Unknown magic byte");
    }
}

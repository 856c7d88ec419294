package dev.ferry.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    private static ConsumerRecord<byte[], byte[]> original(RecordHeaders headers) {
        return new ConsumerRecord<>("ferry.invocations", 3, 42L, 0L, TimestampType.CREATE_TIME, 1, 4,
                "k".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3, 4}, headers, Optional.empty());
    }

    @Test
    void shouldKeepTheOriginalBytesAndSayWhereTheyCameFrom() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", "00-abc".getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> dead = DeadLetters.of("ferry.dlq", original(headers),
                new IllegalStateException("Unknown magic byte 0x7f"), 1);

        assertThat(dead.topic()).isEqualTo("ferry.dlq");
        assertThat(dead.key()).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
        assertThat(dead.value()).containsExactly(1, 2, 3, 4);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_CLASS))
                .isEqualTo("java.lang.IllegalStateException");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ERROR_MESSAGE)).isEqualTo("Unknown magic byte 0x7f");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ORIGINAL_TOPIC)).isEqualTo("ferry.invocations");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ORIGINAL_PARTITION)).isEqualTo("3");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ORIGINAL_OFFSET)).isEqualTo("42");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ATTEMPT)).isEqualTo("1");
        assertThat(DeadLetters.header(dead.headers(), "traceparent")).isEqualTo("00-abc");
    }

    @Test
    void shouldReplaceAnEarlierVerdictWhenARecordIsDeadLetteredAgain() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetters.ATTEMPT, "1".getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> dead = DeadLetters.of("ferry.dlq", original(headers), "X", "boom", 3);
        assertThat(dead.headers().headers(DeadLetters.ATTEMPT)).hasSize(1);
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ATTEMPT)).isEqualTo("3");
    }
}

package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.triggers.TriggerRef;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class TriggerRecordsTest {

    private final TriggerRecords records = new TriggerRecords(new TriggerRef("acme", "shape"), "out", "ferry.dlq", "ferry.results", null);

    private static Map<String, String> headers(ProducerRecord<byte[], byte[]> record) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            map.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return map;
    }

    private static ProducerRecord<byte[], byte[]> sized(String topic, int bytes) {
        // RecordSize counts 128 bytes of overhead for a record without key and headers.
        return new ProducerRecord<>(topic, null, null, new byte[bytes - 128]);
    }

    private static Config maxMessageBytes(int limit) {
        return new Config(List.of(new ConfigEntry("max.message.bytes", String.valueOf(limit))));
    }

    @Test
    void shouldCheckEachRecordAgainstTheLimitOfItsOwnTopic() {
        // Issue 16: the destination's and the results' limits are read once, not per record; each record must still
        // meet its own topic's limit, whether its topic is named by the strings the records hold or by another.
        TriggerRecords limited = new TriggerRecords(new TriggerRef("acme", "shape"), "out", "ferry.dlq",
                "ferry.results", null);
        assertThat(limited.fits(sized("ferry.results", 5_000_000))).isTrue();

        limited.limits(WriteLimits.of(Map.of("out", maxMessageBytes(1_000), "ferry.dlq", maxMessageBytes(3_000)),
                1_000_000, "ferry.results", 2_000));
        for (String out : List.of("out", new String("out"))) {
            assertThat(limited.fits(sized(out, 1_000))).isTrue();
            assertThat(limited.fits(sized(out, 1_001))).isFalse();
        }
        for (String results : List.of("ferry.results", new String("ferry.results"))) {
            assertThat(limited.fits(sized(results, 2_000))).isTrue();
            assertThat(limited.fits(sized(results, 2_001))).isFalse();
        }
        assertThat(limited.fits(sized("ferry.dlq", 3_000))).isTrue();
        assertThat(limited.fits(sized("ferry.dlq", 3_001))).isFalse();
        assertThat(limited.fits(sized("elsewhere", 1_000_000))).isTrue();
        assertThat(limited.fits(sized("elsewhere", 1_000_001))).isFalse();

        TriggerRecords noDestination = new TriggerRecords(new TriggerRef("acme", "shape"), null, "ferry.dlq",
                "ferry.results", null);
        noDestination.limits(WriteLimits.of(Map.of("ferry.dlq", maxMessageBytes(3_000)), 1_000_000,
                "ferry.results", 2_000));
        assertThat(noDestination.fits(sized("ferry.results", 2_001))).isFalse();
        assertThat(noDestination.fits(sized("ferry.dlq", 3_000))).isTrue();
    }

    @Test
    void shouldLabelEachOutputWithItsSourceAndInvocation() {
        for (long offset : new long[] {0, 7, 1023, 1024, 98_765_432_101L}) {
            ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("orders", 1500, offset,
                    "k".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));

            ProducerRecord<byte[], byte[]> output = records.output("id-" + offset, source,
                    "{\"a\":1}".getBytes(StandardCharsets.UTF_8), "application/json");

            assertThat(output.topic()).isEqualTo("out");
            assertThat(output.key()).isEqualTo(source.key());
            assertThat(headers(output)).containsExactly(
                    Map.entry(TriggerRecords.INVOCATION_ID, "id-" + offset),
                    Map.entry(TriggerRecords.SOURCE_TOPIC, "orders"),
                    Map.entry(TriggerRecords.SOURCE_PARTITION, "1500"),
                    Map.entry(TriggerRecords.SOURCE_OFFSET, String.valueOf(offset)),
                    Map.entry(TriggerRecords.CONTENT_TYPE, "application/json"));
        }
    }

    @Test
    void shouldNameTheRightTopicAndContentTypeWhenTheyChangeFromRecordToRecord() {
        ConsumerRecord<byte[], byte[]> a = new ConsumerRecord<>("a", 0, 5L, null, new byte[0]);
        ConsumerRecord<byte[], byte[]> b = new ConsumerRecord<>("b", 3, 6L, null, new byte[0]);

        assertThat(headers(records.output("1", a, new byte[1], null)))
                .containsEntry(TriggerRecords.SOURCE_TOPIC, "a")
                .containsEntry(TriggerRecords.CONTENT_TYPE, "application/octet-stream");
        assertThat(headers(records.output("2", b, new byte[1], "text/plain; charset=utf-8")))
                .containsEntry(TriggerRecords.SOURCE_TOPIC, "b")
                .containsEntry(TriggerRecords.SOURCE_PARTITION, "3")
                .containsEntry(TriggerRecords.CONTENT_TYPE, "text/plain; charset=utf-8");
        assertThat(headers(records.output("3", a, new byte[1], null))).containsEntry(TriggerRecords.SOURCE_TOPIC, "a");
    }

    @Test
    void shouldWriteDecimalDigitsLikeStringValueOf() {
        for (long n : new long[] {0, 9, 10, 1023, 1024, 99_999, Long.MAX_VALUE, -1, Long.MIN_VALUE}) {
            assertThat(new String(TriggerRecords.digits(n), StandardCharsets.US_ASCII)).isEqualTo(String.valueOf(n));
        }
    }

    /**
     * An operator reading {@code ferry.dlq} tells which trigger wrote a letter, also one that never ran and so has no
     * result ({@code ferry.attempt} 0); a header the source record carried under that name is replaced.
     */
    @Test
    void shouldNameTheTriggerAndTheAttemptsMadeOnEveryFailureRecord() {
        RecordHeaders carried = new RecordHeaders();
        carried.add(TriggerRecords.TRIGGER, "other/forged".getBytes(StandardCharsets.UTF_8));
        ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("orders", 2, 9L, 1_000L,
                TimestampType.CREATE_TIME, 1, 2, "k".getBytes(StandardCharsets.UTF_8),
                "{}".getBytes(StandardCharsets.UTF_8), carried, Optional.empty());

        ProducerRecord<byte[], byte[]> letter = records.failure(source, TriggerRecords.UNDECODABLE, "not JSON", 0);

        assertThat(letter.topic()).isEqualTo("ferry.dlq");
        assertThat(letter.headers().headers(TriggerRecords.TRIGGER)).hasSize(1);
        assertThat(headers(letter))
                .containsEntry(TriggerRecords.TRIGGER, "acme/shape")
                .containsEntry(DeadLetters.ATTEMPT, "0")
                .containsEntry(DeadLetters.ERROR_CLASS, TriggerRecords.UNDECODABLE)
                .containsEntry(TriggerRecords.SOURCE_TOPIC, "orders")
                .containsEntry(TriggerRecords.SOURCE_OFFSET, "9");
        assertThat(headers(records.failure(source, TriggerRecords.ITEM_FAILED, "failed", 4)))
                .containsEntry(TriggerRecords.TRIGGER, "acme/shape")
                .containsEntry(DeadLetters.ATTEMPT, "4");
    }
}

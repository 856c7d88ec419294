package dev.ferry.core.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Records for {@code ferry.dlq}: the original key and bytes, untouched, so nothing is lost and an operator can
 * replay them, plus headers that say what went wrong and where the record came from (docs/design.md). Header values
 * are UTF-8 strings so any tool can read them. The original record's own headers travel along.
 */
public final class DeadLetters {

    public static final String ERROR_CLASS = "ferry.error.class";
    public static final String ERROR_MESSAGE = "ferry.error.message";
    public static final String ORIGINAL_TOPIC = "ferry.original.topic";
    public static final String ORIGINAL_PARTITION = "ferry.original.partition";
    public static final String ORIGINAL_OFFSET = "ferry.original.offset";
    /**
     * How many attempts were made on the record before it was dead-lettered, in decimal: how many times a function
     * was run on it (or tried to be: a function that could not start is an attempt too), each one a result on
     * {@code ferry.results} with its attempt number; {@code 0} when none was (a record that could not be decoded
     * or routed, a trigger's record older than {@code maxRecordAgeMs} before its first run, metering's letters,
     * which are not invocations). A trigger's record counts every run, in a batch, in a half of one and alone.
     */
    public static final String ATTEMPT = "ferry.attempt";

    /** Error messages are for people; a stack-trace-sized message would bloat every DLQ record. */
    private static final int MAX_MESSAGE_CHARS = 4096;

    private DeadLetters() {
    }

    /**
     * The dead letter of {@code original}, its error named by {@code error}'s class and message.
     *
     * @param attempts the attempts made on it ({@link #ATTEMPT}): 0 when it never ran
     */
    public static ProducerRecord<byte[], byte[]> of(String dlqTopic, ConsumerRecord<byte[], byte[]> original,
            Throwable error, int attempts) {
        String message = error.getMessage() != null ? error.getMessage() : error.toString();
        return of(dlqTopic, original, error.getClass().getName(), message, attempts);
    }

    /**
     * The dead letter of {@code original}: its key, value and headers, any earlier verdict's headers replaced.
     *
     * @param attempts the attempts made on it ({@link #ATTEMPT}): 0 when it never ran
     * @throws IllegalArgumentException if {@code attempts} is negative
     */
    public static ProducerRecord<byte[], byte[]> of(String dlqTopic, ConsumerRecord<byte[], byte[]> original,
            String errorClass, String errorMessage, int attempts) {
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must be 0 or more, got " + attempts);
        }
        Headers headers = new RecordHeaders(original.headers().toArray());
        for (String name : new String[] {ERROR_CLASS, ERROR_MESSAGE, ORIGINAL_TOPIC, ORIGINAL_PARTITION,
                ORIGINAL_OFFSET, ATTEMPT}) {
            headers.remove(name); // a record that was dead-lettered before carries the old verdict
        }
        put(headers, ERROR_CLASS, errorClass);
        put(headers, ERROR_MESSAGE, truncate(errorMessage == null ? "" : errorMessage));
        put(headers, ORIGINAL_TOPIC, original.topic());
        put(headers, ORIGINAL_PARTITION, String.valueOf(original.partition()));
        put(headers, ORIGINAL_OFFSET, String.valueOf(original.offset()));
        put(headers, ATTEMPT, String.valueOf(attempts));
        return new ProducerRecord<>(dlqTopic, null, original.key(), original.value(), headers);
    }

    /** A header of a dead letter as a string, or null when absent. */
    public static String header(Headers headers, String name) {
        var header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void put(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String truncate(String message) {
        return message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
}

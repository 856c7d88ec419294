package dev.ferry.worker.internal.trigger;

import dev.ferry.core.kafka.DeadLetters;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.schemas.InvocationResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Builds what a trigger writes (DESIGN "Triggers", topics table): destination records keyed by the source key with
 * the headers {@code ferry.invocation.id}, {@code ferry.source.topic}, {@code ferry.source.partition},
 * {@code ferry.source.offset} and {@code content-type}; failure records for {@code onFailure}, the source bytes with
 * the DLQ headers of {@link DeadLetters} plus {@code ferry.source.*} and {@link #TRIGGER}; results for
 * {@code ferry.results} keyed by invocation id. Header values are UTF-8 text. Thread-safe.
 */
public final class TriggerRecords {

    public static final String INVOCATION_ID = "ferry.invocation.id";
    public static final String SOURCE_TOPIC = "ferry.source.topic";
    public static final String SOURCE_PARTITION = "ferry.source.partition";
    public static final String SOURCE_OFFSET = "ferry.source.offset";
    public static final String SOURCE_TIMESTAMP = "ferry.source.timestamp";
    public static final String SOURCE_KEY = "ferry.source.key";
    /**
     * {@code base64} when {@link #SOURCE_KEY} is base64 of a key that is not printable ASCII
     * ({@code HeaderText#encode}); absent when the key is its text (tester 14A, finding 13).
     */
    public static final String SOURCE_KEY_ENCODING = "ferry.source.key.encoding";
    /**
     * The names, comma-separated in the record's order, of the source record's own headers whose values the call
     * carries as base64 because they are not printable ASCII ({@code HeaderText#encode}); absent when there is none.
     */
    public static final String SOURCE_BASE64_HEADERS = "ferry.source.headers.base64";
    /**
     * {@code true} on the invocation of a tombstone (a null value) at {@code batchSize} 1, whose payload is empty as an
     * empty value's is; absent otherwise (in a batch the record's {@code value} is JSON null). Tester 12A, finding 8.
     */
    public static final String SOURCE_TOMBSTONE = "ferry.source.tombstone";
    public static final String CONTENT_TYPE = "content-type";
    /**
     * On every failure record: the trigger that wrote it, {@code tenant/name} (its key on {@code ferry.triggers}),
     * since several triggers may share one {@code onFailure} topic ({@code ferry.dlq} by default) and a record that
     * never ran has no result to tell (tester: a letter with {@code ferry.attempt=0} named no trigger).
     */
    public static final String TRIGGER = "ferry.trigger";
    /** Error class of a record that could not be decoded per the trigger's format. */
    public static final String UNDECODABLE = "dev.ferry.trigger.UndecodableRecord";
    /** Error class of a record older than {@code maxRecordAgeMs} when it would have been (re)tried. */
    public static final String TOO_OLD = "dev.ferry.trigger.RecordTooOld";
    /** Error class of a record whose output is too large for where it goes (issue 11: no record stops a trigger). */
    public static final String OUTPUT_TOO_LARGE = "dev.ferry.trigger.OutputTooLarge";
    /** The error class of a record that a batch answer named in {@code batchItemFailures} until its last attempt. */
    public static final String ITEM_FAILED = "dev.ferry.trigger.BatchItemFailed";

    private static final String OCTET_STREAM = "application/octet-stream";
    private static final byte[] OCTET_STREAM_BYTES = OCTET_STREAM.getBytes(StandardCharsets.UTF_8);
    private static final String JSON = "application/json";
    private static final byte[] JSON_BYTES = JSON.getBytes(StandardCharsets.UTF_8);
    /** Partition numbers (and small offsets) as header values, encoded once. */
    private static final byte[][] SMALL = new byte[1024][];

    static {
        for (int i = 0; i < SMALL.length; i++) {
            SMALL[i] = String.valueOf(i).getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** A text and its UTF-8 bytes, published whole through a volatile field. */
    private record Encoded(String text, byte[] bytes) {
    }

    private final String trigger;
    private final String destination;
    private volatile Encoded lastTopic;
    private final String onFailure;
    private final String results;
    private final Serializer<InvocationResult> resultSerializer;
    private volatile Limits limits;

    /**
     * The limits and, read from them once, those of the destination and of {@code ferry.results}: the two topics of
     * every record a trigger writes. {@link #fits} asks a map by topic name per record otherwise, two per source
     * record at {@code batchSize} 1 (issue 16, trigger-throughput: a visible part of a record's answer in a profile).
     */
    private record Limits(WriteLimits all, int destination, int results) {

        Limits(WriteLimits all, String destination, String results) {
            this(all, destination == null ? 0 : all.limit(destination), results == null ? 0 : all.limit(results));
        }
    }

    /**
     * @param trigger     the trigger whose records these are, named by {@link #TRIGGER} on its failure records
     * @param destination null: outputs go to {@code ferry.results} only
     */
    public TriggerRecords(TriggerRef trigger, String destination, String onFailure, String results,
            Serializer<InvocationResult> resultSerializer) {
        this.trigger = trigger.key();
        this.destination = destination;
        this.onFailure = onFailure;
        this.results = results;
        this.resultSerializer = resultSerializer;
        limits(WriteLimits.producerOnly(Integer.MAX_VALUE));
    }

    /** The limits checked from now on; a replica sets them each time it starts consuming. */
    public void limits(WriteLimits limits) {
        this.limits = new Limits(limits, destination, results);
    }

    public WriteLimits limits() {
        return limits.all();
    }

    /**
     * Whether {@code record} fits its topic (a destination record, a failure or a result), as
     * {@link WriteLimits#fits} says. The records this class builds name their topic by the very strings it holds, so
     * the destination's and the results' limits are found by identity; any other topic is looked up.
     */
    public boolean fits(ProducerRecord<byte[], byte[]> record) {
        Limits known = limits;
        String topic = record.topic();
        int limit = topic == destination && destination != null ? known.destination()
                : topic == results ? known.results() : known.all().limit(topic);
        return WriteLimits.size(record) <= limit;
    }

    public boolean hasDestination() {
        return destination != null;
    }

    /** The topics a replica writes to besides ferry.results, which must exist before it starts. */
    public List<String> userTopics() {
        return destination == null ? List.of(onFailure) : List.of(destination, onFailure);
    }

    /** An output for the destination, or null when the trigger has none or the output is null. */
    public ProducerRecord<byte[], byte[]> output(String invocationId, ConsumerRecord<byte[], byte[]> source,
            byte[] value, String contentType) {
        if (destination == null || value == null) {
            return null;
        }
        // Built as an array at once, the values that repeat (topic, partition, content type) encoded once
        // (issue 16: five headers per output, each a String and its UTF-8 bytes, were a third of producer.send).
        Header[] headers = {
            new RecordHeader(INVOCATION_ID, invocationId.getBytes(StandardCharsets.UTF_8)),
            new RecordHeader(SOURCE_TOPIC, topicBytes(source.topic())),
            new RecordHeader(SOURCE_PARTITION, digits(source.partition())),
            new RecordHeader(SOURCE_OFFSET, digits(source.offset())),
            new RecordHeader(CONTENT_TYPE, contentTypeBytes(contentType))
        };
        return new ProducerRecord<>(destination, null, source.key(), value, new RecordHeaders(headers));
    }

    /** The UTF-8 of a source topic's name: the last one is kept (a replica's records mostly share a topic). */
    private byte[] topicBytes(String topic) {
        Encoded last = lastTopic;
        if (last == null || !last.text().equals(topic)) {
            last = new Encoded(topic, topic.getBytes(StandardCharsets.UTF_8));
            lastTopic = last;
        }
        // A copy would be safe too, but nothing writes header values: the producer only reads them.
        return last.bytes();
    }

    private static byte[] contentTypeBytes(String contentType) {
        if (contentType == null || OCTET_STREAM.equals(contentType)) {
            return OCTET_STREAM_BYTES;
        }
        return JSON.equals(contentType) ? JSON_BYTES : contentType.getBytes(StandardCharsets.UTF_8);
    }

    /** The decimal digits of {@code n} as ASCII, as {@code String.valueOf(n).getBytes(UTF_8)} without the String. */
    static byte[] digits(long n) {
        if (n >= 0 && n < SMALL.length) {
            return SMALL[(int) n];
        }
        if (n < 0) {
            return String.valueOf(n).getBytes(StandardCharsets.US_ASCII);
        }
        int length = 0;
        for (long v = n; v > 0; v /= 10) {
            length++;
        }
        byte[] out = new byte[length];
        for (int i = length - 1; i >= 0; i--) {
            out[i] = (byte) ('0' + n % 10);
            n /= 10;
        }
        return out;
    }

    /**
     * A source record that failed for good, for {@code onFailure}: its key and bytes with the DLQ headers,
     * {@code ferry.source.*} and {@link #TRIGGER}. When the copy would be too large for {@code onFailure} (its source
     * came from a topic allowing more), the letter carries no value, the error message saying so, so the failure is
     * still recorded and the trigger goes on (issue 11).
     *
     * @param runs how many times the function was run on the record, in batches and alone, each run a result on
     *             {@code ferry.results}: {@link DeadLetters#ATTEMPT}; 0 when it never ran (undecodable, older than
     *             {@code maxRecordAgeMs} before its first run)
     */
    public ProducerRecord<byte[], byte[]> failure(ConsumerRecord<byte[], byte[]> source, String errorClass,
            String message, int runs) {
        ProducerRecord<byte[], byte[]> letter = DeadLetters.of(onFailure, source, errorClass, message, runs);
        failureHeaders(letter.headers(), source);
        if (fits(letter)) {
            return letter;
        }
        long size = WriteLimits.size(letter);
        // First, so the header's truncation of a long message never cuts it.
        String why = "[the copy of " + size + " bytes is over the limit of " + limits().limit(onFailure) + " bytes of "
                + onFailure + " (max.message.bytes or max.request.size); its value is not copied, read it at "
                + SourceItem.where(source) + "] " + message;
        ProducerRecord<byte[], byte[]> slim = DeadLetters.of(onFailure,
                new ConsumerRecord<>(source.topic(), source.partition(), source.offset(), source.key(), null),
                errorClass, why, runs);
        failureHeaders(slim.headers(), source);
        return slim;
    }

    public ProducerRecord<byte[], byte[]> result(InvocationResult result) {
        byte[] key = result.getInvocationId().getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(results, key, resultSerializer.serialize(results, result));
    }

    /** {@code ferry.source.*} and {@link #TRIGGER}, in place of any the source record carried. */
    private void failureHeaders(Headers headers, ConsumerRecord<byte[], byte[]> source) {
        for (String name : List.of(SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET, SOURCE_TIMESTAMP, TRIGGER)) {
            headers.remove(name);
        }
        put(headers, TRIGGER, trigger);
        put(headers, SOURCE_TOPIC, source.topic());
        put(headers, SOURCE_PARTITION, String.valueOf(source.partition()));
        put(headers, SOURCE_OFFSET, String.valueOf(source.offset()));
        put(headers, SOURCE_TIMESTAMP, String.valueOf(source.timestamp()));
    }

    private static void put(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}

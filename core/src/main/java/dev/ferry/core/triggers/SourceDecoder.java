package dev.ferry.core.triggers;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.JsonSyntax;
import dev.ferry.core.invocation.Utf8;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryException;
import dev.ferry.schemas.serde.FerryAvroDeserializer;
import dev.ferry.schemas.serde.WireFormat;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.annotation.InterfaceStability;
import org.apache.kafka.common.header.Header;

/**
 * Decodes source records per a trigger's {@link RecordFormat} (issue 14; DESIGN "Triggers": {@code format}) into a
 * {@link SourceValue}, and builds the record document that filters match and batches carry. Thread-safe.
 *
 * <ul>
 *   <li>BYTES: any bytes. STRING: must be valid UTF-8. JSON: must be exactly one JSON value (Jackson; nothing after
 *       it), checked by reading its tokens; the tree ({@link SourceValue#json()}) is built when first asked for, and
 *       its numbers keep their exact value and written form.
 *   <li>AVRO: the Confluent wire format (byte 0, 4-byte big-endian schema id, Avro binary). The writer schema is
 *       fetched by id through the registry (once per id: {@link FerryAvroDeserializer} keeps a reader per id, the
 *       registry client caches schemas), so any schema under any subject strategy reads; the datum becomes JSON as
 *       {@link AvroJson} describes (unions unwrapped, bytes base64, decimals exact numbers).
 *   <li>A null value (a tombstone) is never an error: an empty payload and {@code NullNode}, whatever the format.
 * </ul>
 *
 * Anything else raises {@link SourceDecodingException} naming {@code topic-partition@offset}, the format and why;
 * {@link SourceDecodingException#retriable()} when the registry failed rather than the record.
 */
@InterfaceStability.Evolving
public final class SourceDecoder {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // 2.50 stays 2.50 in a batch array, not 2.5 (or 2.5E+0): functions see the number as it was written.
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();
    private static final JsonNodeFactory NODES = JSON.getNodeFactory();

    private final RecordFormat format;
    private final SchemaRegistryClient registry;
    private final FerryAvroDeserializer<Object> avro;

    /**
     * @param registry the schema registry; may be null unless {@code format} is AVRO
     * @throws IllegalArgumentException when {@code format} is AVRO and {@code registry} is null
     */
    public SourceDecoder(RecordFormat format, SchemaRegistryClient registry) {
        this.format = Objects.requireNonNull(format, "format");
        if (format == RecordFormat.AVRO && registry == null) {
            throw new IllegalArgumentException("The AVRO format needs a schema registry client");
        }
        this.registry = registry;
        this.avro = format == RecordFormat.AVRO ? new FerryAvroDeserializer<>(registry) : null;
    }

    /** The format this decoder reads. */
    public RecordFormat format() {
        return format;
    }

    /**
     * Decodes the record's value.
     *
     * @throws SourceDecodingException naming {@code topic-partition@offset} and why the value is not of the format
     */
    public SourceValue decode(ConsumerRecord<byte[], byte[]> record) {
        byte[] value = record.value();
        if (value == null) {
            return new SourceValue(new byte[0], contentType(format), NullNode.getInstance());
        }
        try {
            return switch (format) {
                case BYTES -> new SourceValue(value, SourceValue.OCTET_STREAM,
                        NODES.textNode(Base64.getEncoder().encodeToString(value)));
                case STRING -> new SourceValue(value, SourceValue.TEXT_UTF8, NODES.textNode(utf8(value)));
                case JSON -> {
                    checkJson(value);
                    yield new SourceValue(value, SourceValue.JSON, () -> tree(record, value));
                }
                case AVRO -> avro(record.topic(), value);
            };
        } catch (RuntimeException | IOException e) {
            boolean registryFailed = registryFailed(e);
            throw new SourceDecodingException("Cannot decode the value of " + where(record) + " as " + format + ": "
                    + e.getMessage() + (registryFailed ? " (the schema registry failed, not the record: retry)" : ""),
                    e, registryFailed, format == RecordFormat.AVRO ? schemaIdOf(record) : null);
        } catch (StackOverflowError e) {
            throw nestedTooDeep(record);
        }
    }

    /**
     * A value nested deeper than the stack holds, found by a step that recurses per level (Avro's reader is caught
     * in {@link FerryAvroDeserializer}; this catches the rest, e.g. the datum's conversion to JSON): the record's
     * own failure, never an {@link Error} that ends the replica's thread (docs/design.md section 11).
     */
    private static SourceDecodingException nestedTooDeep(ConsumerRecord<byte[], byte[]> record) {
        return new SourceDecodingException("Cannot decode the value of " + where(record) + ": it is nested deeper "
                + "than this decoder's stack allows (stack overflow while decoding)", null, false);
    }

    /**
     * Whether the registry, not the record, is at fault: a {@link SchemaRegistryException} in the causes that is
     * {@link SchemaRegistryException#unavailable() unavailable} (no answer, a 5xx, refused credentials, a 404
     * without the registry's own error code: another server at a mistyped URL, session 12). The registry's own
     * verdict (an unknown schema id) and a schema it gave that is not Avro are the record's fault (session 14).
     */
    private static boolean registryFailed(Throwable e) {
        return SchemaRegistryException.unavailable(e);
    }

    /**
     * Checks that {@code value} is exactly one JSON value by reading its tokens, without building a tree (issue 16:
     * building one per record cost more than the check, and only filters and batches read it).
     */
    private static void checkJson(byte[] value) throws IOException {
        if (value.length == 0) {
            throw new IOException("0 bytes, not a JSON value");
        }
        try (JsonParser parser = JSON.createParser(value)) {
            if (parser.nextToken() == null) {
                throw new IOException("only whitespace, not a JSON value");
            }
            parser.skipChildren();
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw new IOException("not JSON: a " + trailing + " token after the value");
            }
        } catch (JsonProcessingException e) {
            throw new IOException("not JSON: " + JsonSyntax.describe(e) + wireFormatHint(value), e);
        } catch (CharConversionException e) { // zero bytes first: Jackson reads UTF-32 and finds no character
            throw new IOException("not JSON: " + e.getMessage() + wireFormatHint(value), e);
        }
    }

    /**
     * For a value in the Confluent wire format (magic byte 0, a 4-byte schema id: what Confluent's JSON Schema,
     * Protobuf and Avro serializers write), a hint that says so; otherwise empty. Jackson, seeing the zero bytes,
     * guesses UTF-32 and says "Invalid UTF-32 character", which sent a tester the wrong way (session 14).
     */
    private static String wireFormatHint(byte[] value) {
        if (value.length < 5 || value[0] != 0) {
            return "";
        }
        int schemaId = ByteBuffer.wrap(value, 1, 4).getInt();
        return " (the value starts as the Confluent wire format does: magic byte 0, schema id " + schemaId
                + "; format AVRO reads that format for Avro schemas, JSON reads plain JSON text only)";
    }

    /**
     * The tree of a value {@link #checkJson} accepted. A number too large for an exact decimal (an exponent past
     * what {@link java.math.BigDecimal} holds) passes the check but not this: a {@link SourceDecodingException}, not
     * retriable.
     */
    private static JsonNode tree(ConsumerRecord<byte[], byte[]> record, byte[] value) {
        try {
            return json(value);
        } catch (IOException | RuntimeException e) {
            throw new SourceDecodingException("Cannot decode the value of " + where(record) + " as JSON: "
                    + e.getMessage(), e, false);
        } catch (StackOverflowError e) {
            throw nestedTooDeep(record);
        }
    }

    private static JsonNode json(byte[] value) throws IOException {
        if (value.length == 0) {
            throw new IOException("0 bytes, not a JSON value");
        }
        try {
            JsonNode tree = JSON.readTree(value);
            if (tree == null || tree.isMissingNode()) {
                throw new IOException("only whitespace, not a JSON value");
            }
            return tree;
        } catch (JsonProcessingException e) {
            throw new IOException("not JSON: " + JsonSyntax.describe(e) + wireFormatHint(value), e);
        } catch (CharConversionException e) { // zero bytes first: Jackson reads UTF-32 and finds no character
            throw new IOException("not JSON: " + e.getMessage() + wireFormatHint(value), e);
        }
    }

    private SourceValue avro(String topic, byte[] value) throws JsonProcessingException {
        Object datum = avro.deserialize(topic, value);
        Schema schema = datum instanceof GenericContainer container
                ? container.getSchema()
                : registry.getById(WireFormat.schemaId(topic, value)); // a primitive or map at the top: rare
        JsonNode tree = AvroJson.toJson(datum, schema);
        return new SourceValue(JSON.writeValueAsBytes(tree), SourceValue.JSON, tree);
    }

    /**
     * The record document {@code {"topic","partition","offset","timestamp","key","value","headers"}}: what a filter
     * matches ({@link EventPattern}) and what a batch element is. {@code key} is {@link #keyText}; {@code value} is
     * {@link SourceValue#json()}; {@code headers} an object from header key to its value as text (UTF-8, or base64
     * when not valid UTF-8; a null header value is JSON null; of repeated keys the last wins, as
     * {@code Headers.lastHeader}); {@code timestamp} in epoch milliseconds.
     */
    public static ObjectNode document(ConsumerRecord<byte[], byte[]> record, SourceValue value) {
        ObjectNode document = NODES.objectNode();
        document.put("topic", record.topic());
        document.put("partition", record.partition());
        document.put("offset", record.offset());
        document.put("timestamp", record.timestamp());
        document.put("key", keyText(record.key()));
        document.set("value", value.json());
        ObjectNode headers = document.putObject("headers");
        for (Header header : record.headers()) {
            headers.put(header.key(), keyText(header.value()));
        }
        return document;
    }

    /**
     * The key (or a header value) as a record document carries it (DESIGN "Triggers"): the UTF-8 text, or standard
     * base64 (with padding) when the bytes are not valid UTF-8; null for no key. JSON carries any text; what travels
     * as a header ({@code ferry.source.key}, a call's key) follows {@code HeaderText#encode} instead.
     */
    public static String keyText(byte[] key) {
        if (key == null) {
            return null;
        }
        return Utf8.invalidAt(key) < 0
                ? new String(key, StandardCharsets.UTF_8)
                : Base64.getEncoder().encodeToString(key);
    }

    /** The content type of {@link SourceValue}s of {@code format}. */
    public static String contentType(RecordFormat format) {
        return switch (format) {
            case BYTES -> SourceValue.OCTET_STREAM;
            case STRING -> SourceValue.TEXT_UTF8;
            case JSON, AVRO -> SourceValue.JSON;
        };
    }

    private static String utf8(byte[] bytes) throws IOException {
        int invalid = Utf8.invalidAt(bytes);
        if (invalid >= 0) {
            throw new IOException("not valid UTF-8 at byte " + invalid + " of " + bytes.length);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The schema id of the record's value in the wire format, or null when it is not in it. */
    private static Integer schemaIdOf(ConsumerRecord<byte[], byte[]> record) {
        try {
            return WireFormat.schemaId(record.topic(), record.value());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}

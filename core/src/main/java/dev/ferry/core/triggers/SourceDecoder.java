package dev.ferry.core.triggers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** STUB until the filter helper's version lands (BYTES, STRING and JSON only): decodes source records. */
public final class SourceDecoder {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final RecordFormat format;

    public SourceDecoder(RecordFormat format, SchemaRegistryClient registry) {
        this.format = format;
    }

    /** @throws SourceDecodingException naming topic-partition@offset and why */
    public SourceValue decode(ConsumerRecord<byte[], byte[]> record) {
        byte[] value = record.value();
        if (value == null) {
            return new SourceValue(new byte[0], contentType(), NullNode.getInstance());
        }
        return switch (format) {
            case BYTES -> new SourceValue(value, contentType(),
                    JsonNodeFactory.instance.textNode(Base64.getEncoder().encodeToString(value)));
            case STRING -> new SourceValue(value, contentType(),
                    JsonNodeFactory.instance.textNode(new String(value, StandardCharsets.UTF_8)));
            case JSON -> {
                try {
                    yield new SourceValue(value, contentType(), JSON.readTree(value));
                } catch (IOException e) {
                    throw new SourceDecodingException("Record " + record.topic() + "-" + record.partition() + "@"
                            + record.offset() + " is not JSON: " + e.getMessage(), e);
                }
            }
            case AVRO -> throw new SourceDecodingException("AVRO is not supported by this stub", null);
        };
    }

    private String contentType() {
        return switch (format) {
            case BYTES -> "application/octet-stream";
            case STRING -> "text/plain; charset=utf-8";
            case JSON, AVRO -> "application/json";
        };
    }

    public static ObjectNode document(ConsumerRecord<byte[], byte[]> record, SourceValue value) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("topic", record.topic());
        doc.put("partition", record.partition());
        doc.put("offset", record.offset());
        doc.put("timestamp", record.timestamp());
        doc.put("key", keyText(record.key()));
        doc.set("value", value.json());
        ObjectNode headers = doc.putObject("headers");
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : keyText(header.value()));
        }
        return doc;
    }

    public static String keyText(byte[] key) {
        if (key == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            return Base64.getEncoder().encodeToString(key);
        }
    }

}

package dev.ferry.core.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A source record's value decoded per the trigger's {@code format} by {@link SourceDecoder} (issue 14; DESIGN
 * "Triggers", "What the function receives").
 *
 * @param payload what a function gets with {@code batchSize} 1: BYTES the raw bytes; STRING the UTF-8 bytes; JSON
 *        the original bytes; AVRO the JSON text (UTF-8) of the decoded record; a null record value: empty. Not
 *        copied: callers must not modify it
 * @param contentType {@code application/octet-stream} (BYTES), {@code text/plain; charset=utf-8} (STRING) or
 *        {@code application/json} (JSON and AVRO), also for a null record value
 * @param json the value as JSON, for filters and batch arrays: BYTES a text node of standard base64; STRING a text
 *        node; JSON and AVRO the tree; a null record value {@code NullNode}
 */
public record SourceValue(byte[] payload, String contentType, JsonNode json) {

    public static final String OCTET_STREAM = "application/octet-stream";
    public static final String TEXT_UTF8 = "text/plain; charset=utf-8";
    public static final String JSON = "application/json";

    public SourceValue {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(json, "json");
    }
}

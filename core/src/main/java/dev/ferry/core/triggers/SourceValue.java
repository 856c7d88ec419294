package dev.ferry.core.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A source record's value decoded per the trigger's {@code format} by {@link SourceDecoder} (issue 14; DESIGN
 * "Triggers", "What the function receives"). Thread-safe.
 *
 * <p>{@link #payload()} is what a function gets with {@code batchSize} 1: BYTES the raw bytes; STRING the UTF-8
 * bytes; JSON the original bytes; AVRO the JSON text (UTF-8) of the decoded record; a null record value: empty. Not
 * copied: callers must not modify it. {@link #contentType()} is {@code application/octet-stream} (BYTES),
 * {@code text/plain; charset=utf-8} (STRING) or {@code application/json} (JSON and AVRO), also for a null record
 * value. {@link #json()} is the value as JSON, for filters and batch arrays: BYTES a text node of standard base64;
 * STRING a text node; JSON and AVRO the tree; a null record value {@code NullNode}. It may be built only when first
 * asked for (JSON: the decoder checks the value is JSON without building a tree; a trigger without a filter and
 * with {@code batchSize} 1 never needs one, issue 16).
 */
public final class SourceValue {

    public static final String OCTET_STREAM = "application/octet-stream";
    public static final String TEXT_UTF8 = "text/plain; charset=utf-8";
    public static final String JSON = "application/json";

    private final byte[] payload;
    private final String contentType;
    private final Supplier<JsonNode> build;
    private volatile JsonNode json;

    public SourceValue(byte[] payload, String contentType, JsonNode json) {
        this.payload = Objects.requireNonNull(payload, "payload");
        this.contentType = Objects.requireNonNull(contentType, "contentType");
        this.json = Objects.requireNonNull(json, "json");
        this.build = null;
    }

    /** @param json builds the tree on the first {@link #json()}; must not fail for a value the decoder accepted */
    public SourceValue(byte[] payload, String contentType, Supplier<JsonNode> json) {
        this.payload = Objects.requireNonNull(payload, "payload");
        this.contentType = Objects.requireNonNull(contentType, "contentType");
        this.build = Objects.requireNonNull(json, "json");
    }

    public byte[] payload() {
        return payload;
    }

    public String contentType() {
        return contentType;
    }

    public JsonNode json() {
        JsonNode tree = json;
        if (tree == null) {
            tree = Objects.requireNonNull(build.get(), "json");
            json = tree; // a race builds it twice, the same tree
        }
        return tree;
    }
}

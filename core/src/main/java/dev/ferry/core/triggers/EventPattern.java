package dev.ferry.core.triggers;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ferry.core.JsonSyntax;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.annotation.InterfaceStability;

/**
 * A trigger's {@code filter}: a JSON event pattern matched against a record document (issue 14; DESIGN "Triggers").
 * The document is {@link SourceDecoder#document}'s {@code {"topic","partition","offset","timestamp","key","value",
 * "headers"}}, so a pattern names those fields at its top level: {@code {"value": {"status": ["paid"]}}},
 * {@code {"key": [{"prefix": "eu-"}]}}. The model is the event-pattern language of EventBridge and Lambda's
 * event filtering; what Ferry accepts is exactly this:
 *
 * <ul>
 *   <li>A pattern is a non-empty JSON object. It matches a document when <em>every</em> field it names matches.
 *       A field's pattern is either a nested non-empty object (matched against the document's field the same
 *       way, recursively) or a non-empty array of alternatives, which matches when <em>any</em> alternative does.
 *   <li>Alternatives: a literal string, number, boolean or {@code null}, equal to the value (numbers compare by
 *       value, exactly: {@code 5} equals {@code 5.0}; a number never equals the string {@code "5"}); or an object
 *       with exactly one operator:
 *       <ul>
 *         <li>{@code {"prefix": "eu-"}}, {@code {"suffix": ".png"}}, {@code {"equals-ignore-case": "PAID"}}:
 *             string values only (case folding is per character, independent of locale);
 *         <li>{@code {"numeric": [">", 0, "<=", 5]}}: one or two conditions, operators {@code = != < <= > >=},
 *             all must hold; numeric values only, compared exactly (never through {@code double});
 *         <li>{@code {"exists": true|false}}: whether the document has the field at all (a field whose value is
 *             {@code null} exists);
 *         <li>{@code {"anything-but": "x"}} or {@code {"anything-but": ["x", 1, ...]}}: a string, number,
 *             boolean or null value equal to none of the listed literals.
 *       </ul>
 *   <li>When the document's field is an array, the field matches if any element matches (arrays nested in arrays
 *       are searched too; an empty array matches only {@code {"exists": true}}). A nested object pattern against
 *       an array field matches if any element object matches.
 *   <li>A missing field matches only {@code {"exists": false}}; under a field that is not an object, every nested
 *       field is missing. Object values match no alternative but {@code {"exists": true}}.
 * </ul>
 *
 * <p>Limits, checked by {@link #parse}: at most {@value #MAX_BYTES} bytes of UTF-8 and {@value #MAX_DEPTH} levels
 * of nested objects (the top-level object is level 1). Duplicate keys are refused. Instances are immutable and
 * thread-safe; {@link #matches} never throws.
 */
@InterfaceStability.Evolving
public final class EventPattern {

    /** The longest pattern accepted, in bytes of UTF-8 text: generous for hand-written filters, cheap to match. */
    public static final int MAX_BYTES = 4096;
    /** The deepest nesting of objects accepted; the record document's own fields are level 1. */
    public static final int MAX_DEPTH = 10;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final String text;
    private final FieldsPattern root;

    private EventPattern(String text, FieldsPattern root) {
        this.text = text;
        this.root = root;
    }

    /**
     * Parses and checks a pattern.
     *
     * @throws IllegalArgumentException whose message names the problem and where in the pattern it is, as
     *         {@code value.amount[0]: unknown operator "gt"}; fit to show a user as it is (the gateway answers 400)
     */
    public static EventPattern parse(String json) {
        Objects.requireNonNull(json, "json");
        int bytes = json.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("filter: " + bytes + " bytes, more than the " + MAX_BYTES
                    + " a filter may have");
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("filter: not valid JSON: " + JsonSyntax.describe(e));
        }
        if (tree == null || tree.isMissingNode()) {
            throw new IllegalArgumentException(
                    "filter: empty; give a JSON object such as {\"value\": {\"status\": [\"paid\"]}}");
        }
        return new EventPattern(json, fields("filter", "", tree, 1));
    }

    /**
     * Whether a record document ({@link SourceDecoder#document}) matches. Never throws; a null or non-object
     * document has no fields.
     */
    public boolean matches(JsonNode document) {
        // Total by construction (every node type is handled; EventPatternPropertiesTest feeds it arbitrary
        // patterns and documents), so no catch-all here to hide a bug as "filtered".
        return root.matches(document);
    }

    /** The pattern's text, as given to {@link #parse}. */
    @Override
    public String toString() {
        return text;
    }

    private static FieldsPattern fields(String where, String path, JsonNode node, int depth) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": expected an object of fields, got " + describe(node));
        }
        if (node.isEmpty()) {
            throw new IllegalArgumentException(where + ": an empty object; name at least one field"
                    + (path.isEmpty() ? " (a trigger without a filter has filter null)" : ""));
        }
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(where + ": nested deeper than " + MAX_DEPTH + " objects");
        }
        Map<String, FieldPattern> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                fields.put(field.getKey(), fields(fieldPath, fieldPath, value, depth + 1));
            } else if (value.isArray()) {
                fields.put(field.getKey(), alternatives(fieldPath, value));
            } else {
                throw new IllegalArgumentException(fieldPath + ": expected an array of alternatives (such as ["
                        + value + "]) or an object of fields, got " + describe(value));
            }
        }
        return new FieldsPattern(Collections.unmodifiableMap(fields));
    }

    private static Alternatives alternatives(String path, JsonNode array) {
        if (array.isEmpty()) {
            throw new IllegalArgumentException(path + ": an empty array of alternatives matches nothing");
        }
        List<Alternative> alternatives = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            alternatives.add(Alternative.parse(path + "[" + i + "]", array.get(i)));
        }
        return new Alternatives(List.copyOf(alternatives));
    }

    static String describe(JsonNode node) {
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isTextual()) {
            return "the string " + node;
        }
        return node.isNull() ? "null" : node.getNodeType().name().toLowerCase(Locale.ROOT) + " " + node;
    }

    /** A field's pattern: nested fields or a list of alternatives. */
    private interface FieldPattern {
        /** @param value the document's field, or null when the document has no such field */
        boolean matches(JsonNode value);
    }

    /** An object pattern: every named field matches. */
    private record FieldsPattern(Map<String, FieldPattern> fields) implements FieldPattern {
        @Override
        public boolean matches(JsonNode value) {
            if (value != null && value.isArray()) {
                for (JsonNode element : value) {
                    if (element.isObject() && matches(element)) {
                        return true;
                    }
                }
                return false;
            }
            for (Map.Entry<String, FieldPattern> field : fields.entrySet()) {
                JsonNode child = value != null && value.isObject() ? value.get(field.getKey()) : null;
                if (!field.getValue().matches(child)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A field's alternatives: any one matches. */
    private record Alternatives(List<Alternative> alternatives) implements FieldPattern {
        @Override
        public boolean matches(JsonNode value) {
            if (value == null || value.isMissingNode()) {
                for (Alternative alternative : alternatives) {
                    if (alternative instanceof Alternative.Exists exists && !exists.present()) {
                        return true;
                    }
                }
                return false;
            }
            for (Alternative alternative : alternatives) {
                if (alternative instanceof Alternative.Exists exists) {
                    if (exists.present()) {
                        return true;
                    }
                } else if (anyElement(value, alternative)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean anyElement(JsonNode value, Alternative alternative) {
            if (value.isArray()) {
                for (JsonNode element : value) {
                    if (anyElement(element, alternative)) {
                        return true;
                    }
                }
                return false;
            }
            return alternative.matches(value);
        }
    }
}

package dev.ferry.core.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/** STUB until the filter helper's version lands: literal values only, e.g. {"value": {"status": ["paid"]}}. */
public final class EventPattern {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonNode pattern;

    private EventPattern(JsonNode pattern) {
        this.pattern = pattern;
    }

    /** @throws IllegalArgumentException when not a JSON object */
    public static EventPattern parse(String json) {
        try {
            JsonNode tree = JSON.readTree(json);
            if (tree == null || !tree.isObject()) {
                throw new IllegalArgumentException("An event pattern must be a JSON object");
            }
            return new EventPattern(tree);
        } catch (IOException e) {
            throw new IllegalArgumentException("An event pattern must be JSON: " + e.getMessage(), e);
        }
    }

    public boolean matches(JsonNode document) {
        return matches(pattern, document);
    }

    private static boolean matches(JsonNode pattern, JsonNode node) {
        if (node == null) {
            return false;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = pattern.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode child = node.get(field.getKey());
            if (field.getValue().isObject()) {
                if (!matches(field.getValue(), child)) {
                    return false;
                }
            } else if (field.getValue().isArray()) {
                boolean any = false;
                for (JsonNode literal : field.getValue()) {
                    any |= child != null && literal.equals(child);
                }
                if (!any) {
                    return false;
                }
            }
        }
        return true;
    }
}

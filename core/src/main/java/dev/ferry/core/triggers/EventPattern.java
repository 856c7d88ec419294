package dev.ferry.core.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * STUB until the filter helper's EventPattern is on main (TRIGGERS-API.md): accepts any JSON object and matches
 * every record. Replaced by main's file at the merge.
 */
public final class EventPattern {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EventPattern() {
    }

    /** @throws IllegalArgumentException when {@code json} is not a JSON object */
    public static EventPattern parse(String json) {
        JsonNode node;
        try {
            node = json == null ? null : MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("filter is not valid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("filter must be a JSON object");
        }
        return new EventPattern();
    }

    /** Whether a record document matches; the stub matches everything. */
    public boolean matches(JsonNode document) {
        return true;
    }
}

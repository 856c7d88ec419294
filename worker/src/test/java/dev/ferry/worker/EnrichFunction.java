package dev.ferry.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A trigger's test function: answers a JSON object with the same object plus {@code "enriched": true}; a batch (a
 * JSON array of record documents) with an array of the enriched values, one per record. Any object with
 * {@code "poison": true} fails the whole call.
 */
public final class EnrichFunction implements Function {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public byte[] apply(Invocation in) throws Exception {
        JsonNode input = JSON.readTree(in.payload());
        in.outputContentType("application/json");
        if (input.isArray()) {
            ArrayNode outputs = JSON.createArrayNode();
            for (JsonNode document : input) {
                outputs.add(enrich(document.get("value")));
            }
            return JSON.writeValueAsBytes(outputs);
        }
        return JSON.writeValueAsBytes(enrich(input));
    }

    private static JsonNode enrich(JsonNode value) {
        if (value.path("poison").asBoolean(false)) {
            throw new IllegalArgumentException("poison record " + value);
        }
        ObjectNode copy = ((ObjectNode) value).deepCopy();
        copy.put("enriched", true);
        return copy;
    }
}

package dev.ferry.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A trigger's test function: answers a JSON object with the same object plus {@code "enriched": true}; a batch (a
 * JSON array of record documents) with an array of the enriched values, one per record. Any object with
 * {@code "poison": true} fails the whole call. The env {@code sleepMs} makes each call take at least that long;
 * the env {@code hugeN} makes the answer to the single record whose {@code n} is that number a 2 MiB JSON string.
 */
public final class EnrichFunction implements Function {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public byte[] apply(Invocation in) throws Exception {
        String sleep = in.env().get("sleepMs");
        if (sleep != null) {
            Thread.sleep(Long.parseLong(sleep));
        }
        JsonNode input = JSON.readTree(in.payload());
        in.outputContentType("application/json");
        String huge = in.env().get("hugeN");
        if (huge != null && input.isObject() && input.path("n").asInt(-1) == Integer.parseInt(huge)) {
            return JSON.writeValueAsBytes("x".repeat(2 * 1024 * 1024));
        }
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

package dev.ferry.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A trigger's test function for the batch answers of DESIGN "Triggers": given a batch (a JSON array of record
 * documents) it answers {@code {"batchItemFailures": [i, ...]}} naming the records whose value has
 * {@code "flaky": true} or {@code "stubborn": true} when any has (env {@code outputs} set: with {@code "outputs"}, each
 * record's value with {@code "batch": true}), else one object
 * {@code {"count": <records>, "first": <first value's n>}} for the whole batch. Given a batch of one record (an
 * array of one: a record retried alone) it fails when the value has {@code "stubborn": true} and answers the
 * value with {@code "alone": true} otherwise, as a one-element array; given a bare value (batchSize 1) the same,
 * bare.
 */
public final class ShapesFunction implements Function {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public byte[] apply(Invocation in) throws Exception {
        JsonNode input = JSON.readTree(in.payload());
        in.outputContentType("application/json");
        if (!input.isArray()) {
            return alone(input);
        }
        if (input.size() == 1) {
            ArrayNode one = JSON.createArrayNode();
            one.add(JSON.readTree(alone(input.get(0).get("value"))));
            return JSON.writeValueAsBytes(one);
        }
        ArrayNode failures = JSON.createArrayNode();
        for (int i = 0; i < input.size(); i++) {
            JsonNode value = input.get(i).get("value");
            if (value.path("flaky").asBoolean(false) || value.path("stubborn").asBoolean(false)) {
                failures.add(i);
            }
        }
        if (!failures.isEmpty()) {
            ObjectNode answer = JSON.createObjectNode();
            answer.set("batchItemFailures", failures);
            if (in.env().containsKey("outputs")) {
                ArrayNode outputs = answer.putArray("outputs");
                for (int i = 0; i < input.size(); i++) {
                    ObjectNode copy = ((ObjectNode) input.get(i).get("value")).deepCopy();
                    copy.put("batch", true);
                    outputs.add(copy);
                }
            }
            return JSON.writeValueAsBytes(answer);
        }
        ObjectNode whole = JSON.createObjectNode();
        whole.put("count", input.size());
        whole.put("first", input.get(0).get("value").path("n").asInt());
        return JSON.writeValueAsBytes(whole);
    }

    private static byte[] alone(JsonNode value) throws Exception {
        if (value.path("stubborn").asBoolean(false)) {
            throw new IllegalStateException("stubborn record " + value);
        }
        ObjectNode copy = ((ObjectNode) value).deepCopy();
        copy.put("alone", true);
        return JSON.writeValueAsBytes(copy);
    }
}

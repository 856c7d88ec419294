package dev.ferry.worker.internal.trigger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the output of a trigger whose {@code batchSize} is more than 1 means (DESIGN "Triggers", "What the function
 * sees and answers"): a JSON array with one element per input record is one output per record (a {@code null}
 * element: none), {@code {"batchItemFailures": [i, ...]}} marks only those records failed, anything else is one
 * output for the whole batch. The rule is the same for a batch that holds one record (a lone record in the batch
 * window, a half of a bisect, a record retried alone): the function got a one-element array, so {@code [x]} is the
 * output {@code x} of that record and {@code {"batchItemFailures": [0]}} fails it (tester 10, finding 4: a batch
 * of one was read as a bare value). A trigger of {@code batchSize} 1 does not classify its answers: the output is
 * the record's output as it is. Indexes out of range in {@code batchItemFailures} are ignored. Pure.
 */
public sealed interface BatchAnswer {

    /** One output per record, in order; an element is null where the function answered {@code null}. */
    record PerRecord(List<byte[]> outputs) implements BatchAnswer {
    }

    /** The records at these indexes failed; the others are answered, without output. */
    record ItemFailures(SortedSet<Integer> failed) implements BatchAnswer {
    }

    /** One output for the whole batch (null: none). */
    record Whole(byte[] output) implements BatchAnswer {
    }

    /**
     * @param output what the function answered to a batch (a JSON array of record documents)
     * @param size the number of records in that array, 1 or more
     */
    static BatchAnswer classify(byte[] output, int size) {
        if (output == null || output.length == 0) {
            return new Whole(output);
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(output);
        } catch (IOException e) {
            return new Whole(output);
        }
        if (tree != null && tree.isArray() && tree.size() == size) {
            List<byte[]> outputs = new ArrayList<>(size);
            for (JsonNode element : tree) {
                outputs.add(element.isNull() ? null : bytes(element));
            }
            return new PerRecord(Collections.unmodifiableList(outputs));
        }
        if (tree != null && tree.isObject() && tree.size() == 1 && tree.path("batchItemFailures").isArray()) {
            SortedSet<Integer> failed = new TreeSet<>();
            for (JsonNode index : tree.get("batchItemFailures")) {
                if (index.canConvertToInt() && index.asInt() >= 0 && index.asInt() < size) {
                    failed.add(index.asInt());
                }
            }
            return new ItemFailures(Collections.unmodifiableSortedSet(failed));
        }
        return new Whole(output);
    }

    private static byte[] bytes(JsonNode element) {
        try {
            return Json.MAPPER.writeValueAsBytes(element);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A parsed JSON element cannot be written back", e);
        }
    }
}

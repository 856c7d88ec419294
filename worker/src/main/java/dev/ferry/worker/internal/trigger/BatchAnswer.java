package dev.ferry.worker.internal.trigger;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What the output of a trigger whose {@code batchSize} is more than 1 means (DESIGN "Triggers", "What the function
 * sees and answers"): a JSON array with one element per input record is one output per record (a {@code null}
 * element: none), {@code {"batchItemFailures": [i, ...]}} marks only those records failed (the others answered
 * without output), {@code {"batchItemFailures": [i, ...], "outputs": [...]}} does so and gives the others their
 * outputs as an array answer would (tester 12A, finding 6: with a destination the others' outputs were lost),
 * anything else is one output for the whole batch. The rule is the same for a batch that holds one record (a lone record in the batch
 * window, a half of a bisect, a record retried alone): the function got a one-element array, so {@code [x]} is the
 * output {@code x} of that record and {@code {"batchItemFailures": [0]}} fails it (tester 10, finding 4: a batch
 * of one was read as a bare value). A trigger of {@code batchSize} 1 does not classify its answers: the output is
 * the record's output as it is. Indexes out of range in {@code batchItemFailures} are ignored. Pure.
 *
 * <p>A per-record output is the element's bytes exactly as the function wrote them, not the element parsed and
 * written again: a parse made {@code 2.50} into {@code 2.5}, {@code 1E+5} into {@code 100000.0} and {@code 1e400}
 * into the string {@code "Infinity"} (session 11 tester, finding 5), and amounts or ids written as decimals must reach
 * the destination as the function answered them.
 */
public sealed interface BatchAnswer {

    /** One output per record, in order; an element is null where the function answered {@code null}. */
    record PerRecord(List<byte[]> outputs) implements BatchAnswer {
    }

    /**
     * The records at these indexes failed; the others are answered, each with its element of {@code outputs} when
     * the answer had them ({@code {"batchItemFailures": [...], "outputs": [...]}}), else without output.
     *
     * @param outputs one per record of the batch (an element null where the function answered {@code null}; those
     *        of failed records are not used), or null when the answer named no outputs
     */
    record ItemFailures(SortedSet<Integer> failed, List<byte[]> outputs) implements BatchAnswer {

        /** Failures without outputs: Lambda's answer. */
        ItemFailures(SortedSet<Integer> failed) {
            this(failed, null);
        }
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
        // One pass over the answer: an array is walked for its elements' byte ranges, an object read as a tree.
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(output)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_ARRAY) {
                List<byte[]> outputs = elements(parser, output, size);
                return outputs == null ? new Whole(output) : new PerRecord(Collections.unmodifiableList(outputs));
            }
            if (first == JsonToken.START_OBJECT) {
                BatchAnswer failures = itemFailures(parser, output, size);
                if (failures != null) {
                    return failures;
                }
            }
        } catch (IOException e) {
            // Not JSON: one output for the whole batch, as it is.
        }
        return new Whole(output);
    }

    /**
     * The answer {@code {"batchItemFailures": [i, ...]}} or {@code {"batchItemFailures": [i, ...], "outputs": [o,
     * ...]}} (either order) whose object {@code parser} is at the start of; null for any other object (another
     * field, {@code batchItemFailures} not an array, {@code outputs} not an array of exactly {@code size}
     * elements). Failures with outputs but no index in range are the outputs alone ({@link PerRecord}).
     */
    private static BatchAnswer itemFailures(JsonParser parser, byte[] output, int size) throws IOException {
        SortedSet<Integer> failed = null;
        List<byte[]> outputs = null;
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("batchItemFailures".equals(field) && value == JsonToken.START_ARRAY && failed == null) {
                failed = new TreeSet<>();
                for (JsonNode index : (JsonNode) Json.MAPPER.readTree(parser)) {
                    if (index.canConvertToInt() && index.asInt() >= 0 && index.asInt() < size) {
                        failed.add(index.asInt());
                    }
                }
            } else if ("outputs".equals(field) && value == JsonToken.START_ARRAY && outputs == null) {
                outputs = elements(parser, output, size);
                if (outputs == null) {
                    return null;
                }
            } else {
                return null;
            }
        }
        if (failed == null || parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
            return null;
        }
        if (outputs != null && failed.isEmpty()) {
            return new PerRecord(Collections.unmodifiableList(outputs));
        }
        return new ItemFailures(Collections.unmodifiableSortedSet(failed),
                outputs == null ? null : Collections.unmodifiableList(outputs));
    }

    /**
     * The elements of the JSON array {@code parser} is at the start of, each as the bytes the function wrote for it,
     * surrounding whitespace left out; null for a {@code null} element. Element {@code i} runs from its first token to
     * the comma before element {@code i + 1} (or the closing bracket). Null when the array does not hold exactly
     * {@code size} elements.
     *
     * @throws IOException when the array is not well formed
     */
    private static List<byte[]> elements(JsonParser parser, byte[] output, int size) throws IOException {
        long[] starts = new long[size + 1];
        boolean[] nulls = new boolean[size];
        int count = 0;
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            if (token == null || count == size) {
                return null; // cut short, or more elements than records
            }
            starts[count] = parser.currentTokenLocation().getByteOffset();
            nulls[count] = token == JsonToken.VALUE_NULL;
            parser.skipChildren();
            count++;
        }
        if (count != size) {
            return null;
        }
        starts[size] = parser.currentTokenLocation().getByteOffset();
        List<byte[]> outputs = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int end = (int) starts[i + 1];
            while (end > starts[i] && isBlank(output[end - 1])) {
                end--;
            }
            if (i < size - 1 && end > starts[i] && output[end - 1] == ',') {
                end--;
                while (end > starts[i] && isBlank(output[end - 1])) {
                    end--;
                }
            }
            outputs.add(nulls[i] ? null : Arrays.copyOfRange(output, (int) starts[i], end));
        }
        return outputs;
    }

    /** JSON's insignificant whitespace (RFC 8259). */
    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}

package dev.ferry.ingest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.ferry.core.FieldRange;
import dev.ferry.core.JsonSyntax;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first step of reading a PUT body of spec fields (a function's, a trigger's): strict JSON (a key given twice
 * or a second value after the object is a mistake, not "the last one wins"), an object, no {@code tenant} but the API
 * key's own, no unknown field. The fields a GET adds to the spec (its status: replicas, lag, ...) are known and
 * ignored, so what a GET answered can be changed and PUT back as it is, the read-modify-write a full replacement
 * asks of a client (a tester, session 13: a GET's body PUT back answered 400 naming five fields). Every problem is
 * collected, so one answer names them all.
 *
 * @param root   the object, or null when the body is not one (then {@code errors} says why and nothing more can
 *               be read)
 * @param errors what is wrong so far; the caller adds the field rules of its spec
 */
record JsonBody(JsonNode root, List<String> errors) {

    /**
     * @param what the spec's name for messages, e.g. {@code FunctionSpec}
     * @param known the spec's fields
     * @param status the fields its GET adds, ignored here
     * @param tenant the API key's tenant: a {@code tenant} field naming it is ignored, any other refused
     */
    static JsonBody read(ObjectMapper mapper, byte[] body, String what, Set<String> known, Set<String> status,
            String tenant) {
        JsonNode root;
        try {
            // Decimals as sent, BigDecimal with their zeros: a trigger filter compares numbers exactly (EventPattern),
            // and a filter object is written on as text, so a double lost them: 1e400 became Infinity and was
            // written as the string "Infinity" (a tester), 0.30000000000000000001 would have become 0.3. A field's
            // type error shows 512.0 as sent, not 512.
            root = mapper.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).readTree(body);
        } catch (JsonProcessingException e) {
            return new JsonBody(null, List.of("body is not valid JSON: " + JsonSyntax.describe(e)));
        } catch (IOException e) {
            return new JsonBody(null, List.of("body cannot be read: " + e.getMessage()));
        } catch (NumberFormatException | ArithmeticException e) {
            // A decimal no BigDecimal holds (1e99999999999): Jackson throws it raw, naming java.math.BigDecimal.
            return new JsonBody(null, List.of("body is not valid JSON: a number is out of range" + number(e)));
        }
        if (root == null || !root.isObject()) {
            return new JsonBody(null, List.of("body must be a JSON object of " + what + " fields"));
        }
        List<String> errors = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (field.equals("tenant")) {
                JsonNode given = root.get(field);
                if (!given.isTextual() || !given.asText().equals(tenant)) {
                    errors.add("tenant must not be given: it is the tenant of the API key");
                }
            } else if (!known.contains(field) && !status.contains(field)) {
                errors.add("unknown field '" + field + "'");
            }
        }
        return new JsonBody(root, errors);
    }

    /** {@code : <the number>} when Jackson's message quotes it, abbreviated; else nothing. */
    private static String number(RuntimeException e) {
        Matcher value = Pattern.compile("Value \"([^\"]{1,40})").matcher(String.valueOf(e.getMessage()));
        return value.find() ? ": " + value.group(1) + (value.group(1).length() == 40 ? "..." : "") : "";
    }

    /** The string {@code field}, or null when absent or null; a non-string is an error (and null). */
    static String text(JsonNode root, String field, List<String> errors) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            errors.add(field + " must be a string");
            return null;
        }
        return node.asText();
    }

    /**
     * The integer {@code field}, or null when absent or null. A non-integer is an error naming the type, the range
     * and what was sent (and null); so is an integer too big for an {@code int}, named as outside {@code range}, the
     * field's range (a tester: {@code memoryMb} 99999999999999 was called "not an integer"). A value that fits is the
     * spec's rules' to judge.
     */
    static Integer intField(JsonNode root, String field, FieldRange range, List<String> errors) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return node.intValue();
        }
        errors.add(node.isIntegralNumber() ? range.problem(field, digits(node))
                : range.typeProblem(field, given(node)));
        return null;
    }

    /** {@link #intField} for a {@code long} field. */
    static Long longField(JsonNode root, String field, FieldRange range, List<String> errors) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        errors.add(node.isIntegralNumber() ? range.problem(field, digits(node))
                : range.typeProblem(field, given(node)));
        return null;
    }

    /**
     * A value of the wrong type as the caller sent it, for a message: a string quoted (and abbreviated past 64
     * characters), a number or boolean as it reads, an object or array by its kind (it may be large).
     */
    static String given(JsonNode node) {
        if (node.isTextual()) {
            String text = node.asText();
            return "\"" + (text.length() > 64 ? text.substring(0, 64) + "..." : text) + "\"";
        }
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array";
        }
        String text = node.asText();
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }

    /** An integer as given, abbreviated past 24 digits: a body may hold a number of a thousand. */
    private static String digits(JsonNode node) {
        String text = node.bigIntegerValue().toString();
        int length = text.startsWith("-") ? text.length() - 1 : text.length();
        return length > 24 ? text.substring(0, 20) + "... (" + length + " digits)" : text;
    }

    /**
     * Adds to {@code errors} the {@code problems} a spec's rules found, checked on placeholders where a field did not
     * parse; but not one that speaks of such a field (it starts with one {@code errors} names, or names one of
     * {@code placeholders}): it would only repeat the problem in other words, or judge a placeholder
     * (minReplicas 20 against the default maxReplicas, where the body's maxReplicas was "many").
     *
     * @param placeholders the fields that hold a placeholder because they did not parse
     */
    static void addRuleProblems(List<String> errors, List<String> problems, Set<String> placeholders) {
        for (String problem : problems) {
            String field = problem.split("[ :]", 2)[0];
            boolean named = errors.stream().anyMatch(e -> e.startsWith(field + " ") || e.startsWith(field + ":"));
            boolean placeholder = placeholders.stream()
                    .anyMatch(p -> Pattern.compile("\\b" + Pattern.quote(p) + "\\b").matcher(problem).find());
            if (!named && !placeholder) {
                errors.add(problem);
            }
        }
    }

    /** The enum constant {@code field} names, any case; null when absent, or (with an error) when unknown. */
    static <E extends Enum<E>> E enumField(JsonNode root, String field, Class<E> type, List<String> errors) {
        String text = text(root, field, errors);
        if (text == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> allowed = new ArrayList<>();
            for (E constant : type.getEnumConstants()) {
                allowed.add(constant.name());
            }
            errors.add(field + " must be one of " + allowed + ", got '" + text + "'");
            return null;
        }
    }
}

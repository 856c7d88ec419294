package dev.ferry.core.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * One alternative of an {@link EventPattern} field: a literal or a one-operator object. Each is matched against a
 * single present, non-array value ({@link EventPattern} handles missing fields, arrays and {@code exists}).
 * The operators and their rules are listed on {@link EventPattern}.
 */
interface Alternative {

    /** Whether {@code value} (present, never an array) matches. */
    boolean matches(JsonNode value);

    /** Parses one alternative found at {@code path} (for messages, such as {@code value.amount[0]}). */
    static Alternative parse(String path, JsonNode node) {
        if (node.isValueNode()) {
            return new Literal(literal(path, node));
        }
        if (node.isArray()) {
            throw new IllegalArgumentException(path + ": an array inside an array of alternatives;"
                    + " list the alternatives in one array");
        }
        if (node.size() != 1) {
            throw new IllegalArgumentException(path + ": an operator object has exactly one key, "
                    + (node.isEmpty() ? "this one has none" : "this one has " + node.size()));
        }
        String operator = node.fieldNames().next();
        JsonNode argument = node.get(operator);
        return switch (operator) {
            case "prefix" -> new Prefix(text(path, operator, argument));
            case "suffix" -> new Suffix(text(path, operator, argument));
            case "equals-ignore-case" -> new EqualsIgnoreCase(text(path, operator, argument));
            case "exists" -> {
                if (!argument.isBoolean()) {
                    throw new IllegalArgumentException(path + ": \"exists\" takes true or false, not "
                            + EventPattern.describe(argument));
                }
                yield new Exists(argument.booleanValue());
            }
            case "anything-but" -> new AnythingBut(anythingBut(path, argument));
            case "numeric" -> Numeric.parse(path, argument);
            default -> throw new IllegalArgumentException(path + ": unknown operator \"" + operator
                    + "\"; known: prefix, suffix, equals-ignore-case, numeric, exists, anything-but");
        };
    }

    private static JsonNode literal(String path, JsonNode node) {
        if (node.isTextual() || node.isNumber() || node.isBoolean() || node.isNull()) {
            return node;
        }
        throw new IllegalArgumentException(path + ": not a string, number, boolean or null literal: "
                + EventPattern.describe(node));
    }

    private static String text(String path, String operator, JsonNode argument) {
        if (!argument.isTextual()) {
            throw new IllegalArgumentException(path + ": \"" + operator + "\" takes a string, not "
                    + EventPattern.describe(argument));
        }
        return argument.textValue();
    }

    private static List<JsonNode> anythingBut(String path, JsonNode argument) {
        if (!argument.isArray()) {
            return List.of(literal(path + ".anything-but", argument));
        }
        if (argument.isEmpty()) {
            throw new IllegalArgumentException(path + ".anything-but: an empty list; name at least one value");
        }
        List<JsonNode> values = new ArrayList<>();
        for (int i = 0; i < argument.size(); i++) {
            values.add(literal(path + ".anything-but[" + i + "]", argument.get(i)));
        }
        return List.copyOf(values);
    }

    /**
     * Literal equality: same JSON type, numbers by exact value ({@code 5 == 5.0}), strings by code points.
     * Floats go through their decimal text so {@code 0.1f} equals {@code 0.1}; NaN and infinities equal nothing.
     */
    static boolean sameLiteral(JsonNode pattern, JsonNode value) {
        if (pattern.isNumber() && value.isNumber()) {
            BigDecimal a = Numeric.exact(pattern);
            BigDecimal b = Numeric.exact(value);
            return a != null && b != null && a.compareTo(b) == 0;
        }
        if (pattern.isTextual() && value.isTextual()) {
            return pattern.textValue().equals(value.textValue());
        }
        if (pattern.isBoolean() && value.isBoolean()) {
            return pattern.booleanValue() == value.booleanValue();
        }
        return pattern.isNull() && value.isNull();
    }

    /** A literal string, number, boolean or null. */
    record Literal(JsonNode value) implements Alternative {
        @Override
        public boolean matches(JsonNode candidate) {
            return sameLiteral(value, candidate);
        }
    }

    /** {@code {"prefix": "..."}}: a string starting with it. */
    record Prefix(String prefix) implements Alternative {
        @Override
        public boolean matches(JsonNode value) {
            return value.isTextual() && value.textValue().startsWith(prefix);
        }
    }

    /** {@code {"suffix": "..."}}: a string ending with it. */
    record Suffix(String suffix) implements Alternative {
        @Override
        public boolean matches(JsonNode value) {
            return value.isTextual() && value.textValue().endsWith(suffix);
        }
    }

    /** {@code {"equals-ignore-case": "..."}}: a string equal ignoring case, per character, locale-independent. */
    record EqualsIgnoreCase(String text) implements Alternative {
        @Override
        public boolean matches(JsonNode value) {
            return value.isTextual() && value.textValue().equalsIgnoreCase(text);
        }
    }

    /** {@code {"exists": true|false}}; decided by {@link EventPattern} from whether the field is there. */
    record Exists(boolean present) implements Alternative {
        @Override
        public boolean matches(JsonNode value) {
            return present;
        }
    }

    /** {@code {"anything-but": ...}}: a scalar value equal to none of the literals; objects never match. */
    record AnythingBut(List<JsonNode> excluded) implements Alternative {
        @Override
        public boolean matches(JsonNode value) {
            if (!(value.isTextual() || value.isNumber() || value.isBoolean() || value.isNull())) {
                return false;
            }
            for (JsonNode literal : excluded) {
                if (sameLiteral(literal, value)) {
                    return false;
                }
            }
            return true;
        }
    }
}

package dev.ferry.core.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code {"numeric": [">", 0, "<=", 5]}}: one or two conditions on a number, all of which must hold (an
 * {@link EventPattern} alternative). Operators {@code = != < <= > >=}. Comparisons are exact, on
 * {@link BigDecimal}: a JSON {@code 0.1} is one tenth, not the nearest double; strings holding digits are not
 * numbers, and NaN or an infinity (only Avro floats can hold one, and they reach JSON as strings) matches nothing.
 */
record Numeric(List<Condition> conditions) implements Alternative {

    /** One {@code operator, bound} pair. */
    record Condition(String operator, BigDecimal bound) {
        boolean holds(BigDecimal value) {
            int c = value.compareTo(bound);
            return switch (operator) {
                case "=" -> c == 0;
                case "!=" -> c != 0;
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                case ">=" -> c >= 0;
                default -> throw new IllegalStateException(operator); // parse() admits no other
            };
        }
    }

    private static final List<String> OPERATORS = List.of("=", "!=", "<", "<=", ">", ">=");

    static Numeric parse(String path, JsonNode argument) {
        String where = path + ".numeric";
        if (!argument.isArray() || (argument.size() != 2 && argument.size() != 4)) {
            throw new IllegalArgumentException(where + ": expected [operator, number] or [operator, number,"
                    + " operator, number], such as [\">\", 0, \"<=\", 5], got " + argument);
        }
        List<Condition> conditions = new ArrayList<>();
        for (int i = 0; i < argument.size(); i += 2) {
            JsonNode operator = argument.get(i);
            JsonNode bound = argument.get(i + 1);
            if (!operator.isTextual() || !OPERATORS.contains(operator.textValue())) {
                throw new IllegalArgumentException(where + "[" + i + "]: unknown numeric operator " + operator
                        + "; known: = != < <= > >=");
            }
            BigDecimal exact = bound.isNumber() ? exact(bound) : null;
            if (exact == null) {
                throw new IllegalArgumentException(where + "[" + (i + 1) + "]: expected a number, got "
                        + EventPattern.describe(bound));
            }
            conditions.add(new Condition(operator.textValue(), exact));
        }
        return new Numeric(List.copyOf(conditions));
    }

    @Override
    public boolean matches(JsonNode value) {
        BigDecimal number = value.isNumber() ? exact(value) : null;
        if (number == null) {
            return false;
        }
        for (Condition condition : conditions) {
            if (!condition.holds(number)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The exact value of a JSON number node, or null for NaN and infinities. A float node goes through its own
     * decimal text ({@code 0.1f} is 0.1), a double node through {@link BigDecimal#valueOf(double)}.
     */
    static BigDecimal exact(JsonNode number) {
        if (number.isFloat()) {
            float f = number.floatValue();
            return Float.isFinite(f) ? new BigDecimal(Float.toString(f)) : null;
        }
        if (number.isDouble()) {
            double d = number.doubleValue();
            return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
        }
        return number.decimalValue();
    }
}

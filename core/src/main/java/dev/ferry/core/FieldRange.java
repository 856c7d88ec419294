package dev.ferry.core;

/**
 * The values a spec's integer field allows, {@code min} to {@code max}, and the sentence that says so. One place
 * for both the spec's rules ({@code FunctionSpecs}, {@code TriggerSpecs}) and the JSON parsers, which meet a number
 * too big for the field's type before any spec can hold it (a tester: {@code memoryMb} 99999999999999 was called
 * "not an integer").
 */
public record FieldRange(long min, long max) {

    public boolean contains(long value) {
        return value >= min && value <= max;
    }

    /** {@code "<field> must be between <min> and <max>, got <value>"}. */
    public String problem(String field, Object value) {
        return field + " must be between " + min + " and " + max + ", got " + value;
    }

    /**
     * {@code "<field> must be an integer between <min> and <max>, got <given>"}: a value of another type (a string, a
     * fraction, a boolean), so the caller learns the type and the range in one answer (a tester: {@code "512"},
     * {@code 512.5} and {@code true} were told only "must be an integer").
     *
     * @param given the value as sent, e.g. {@code "512"} with its quotes, {@code 512.5}, {@code true}
     */
    public String typeProblem(String field, String given) {
        return field + " must be an integer between " + min + " and " + max + ", got " + given;
    }
}

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
}

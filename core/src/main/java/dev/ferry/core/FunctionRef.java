package dev.ferry.core;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A function's identity: its tenant and name. Both match {@code [a-z0-9][a-z0-9-]{0,62}}, so every topic and
 * group name derived from them is a legal Kafka name, and the record key {@code tenant/function} splits
 * unambiguously.
 */
public record FunctionRef(String tenant, String function) {

    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    public FunctionRef {
        requireValidName("tenant", tenant);
        requireValidName("function", function);
    }

    /** Parses the {@code tenant/function} key used on ferry.functions, ferry.lag and ferry.scaling. */
    public static FunctionRef parseKey(String key) {
        Objects.requireNonNull(key, "key");
        int slash = key.indexOf('/');
        if (slash < 0 || slash != key.lastIndexOf('/')) {
            throw new IllegalArgumentException("Expected a key of the form tenant/function, got '" + key + "'");
        }
        return new FunctionRef(key.substring(0, slash), key.substring(slash + 1));
    }

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Throws with a message that names the field and the rule, so API users can fix their input.
     *
     * @throws IllegalArgumentException when {@code value} is not a valid tenant or function name
     */
    public static String requireValidName(String field, String value) {
        if (!isValidName(value)) {
            throw new IllegalArgumentException("Invalid " + field + " name '" + value
                    + "': use 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit");
        }
        return value;
    }

    /** The record key of this function on the catalog topics: {@code tenant/function}. */
    public String key() {
        return tenant + "/" + function;
    }

    @Override
    public String toString() {
        return key();
    }
}

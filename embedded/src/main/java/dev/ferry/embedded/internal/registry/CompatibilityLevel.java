package dev.ferry.embedded.internal.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Confluent's compatibility levels, decided by Avro's own reader/writer checker.
 *
 * <p>BACKWARD: the new schema can read data written with the old one (upgrade consumers first). FORWARD: the old
 * schema can read data written with the new one (upgrade producers first). FULL: both. A transitive level checks
 * against every live version of the subject, the others against the latest only.
 */
public enum CompatibilityLevel {
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true),
    NONE(false, false, false);

    static final CompatibilityLevel DEFAULT = BACKWARD;

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** Parses a level name in any case; a null or unknown name is a 42203 error. */
    static CompatibilityLevel parse(String name) {
        if (name == null) {
            throw RegistryException.invalidCompatibility("null");
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw RegistryException.invalidCompatibility(name);
        }
    }

    /** The versions a candidate must be checked against, from the subject's live versions (oldest first). */
    <T> List<T> relevant(List<T> existing) {
        if (transitive || existing.isEmpty()) {
            return existing;
        }
        return List.of(existing.get(existing.size() - 1));
    }

    /** The reasons {@code candidate} is incompatible with {@code previous}; empty when compatible. */
    List<String> problems(Schema candidate, Schema previous) {
        List<String> problems = new ArrayList<>();
        if (backward) {
            describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, previous),
                    "new schema cannot read data written with the old one", problems);
        }
        if (forward) {
            describe(SchemaCompatibility.checkReaderWriterCompatibility(previous, candidate),
                    "old schema cannot read data written with the new one", problems);
        }
        return problems;
    }

    private static void describe(SchemaPairCompatibility result, String direction, List<String> problems) {
        if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
            result.getResult().getIncompatibilities().forEach(i -> problems.add(direction + ": " + i.getType()
                    + " at " + i.getLocation() + " (" + i.getMessage() + ")"));
            if (result.getResult().getIncompatibilities().isEmpty()) {
                problems.add(direction + ": " + result.getDescription());
            }
        }
    }
}

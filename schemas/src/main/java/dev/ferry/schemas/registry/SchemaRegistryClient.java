package dev.ferry.schemas.registry;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The Confluent Schema Registry REST API, as Ferry uses it: Avro schemas only, with or without schema
 * references.
 *
 * <p>Implementations are thread-safe. Every method throws {@link SchemaRegistryException} when the
 * registry answers with an error or cannot be reached, and {@link IncompatibleSchemaException} when
 * a schema breaks the subject's compatibility rule.
 */
public interface SchemaRegistryClient {

    /** The version argument of {@link #testCompatibility} that means "the latest version". */
    String LATEST = "latest";

    /**
     * Registers {@code schema} under {@code subject} (a no-op returning the existing id when it is
     * already there) and returns its global id.
     */
    int register(String subject, Schema schema);

    /** Finds {@code schema} among the versions of {@code subject} (error 40401 or 40403 if absent). */
    RegisteredSchema lookup(String subject, Schema schema);

    /**
     * Registers {@code schema} under {@code subject} with {@code references} to types registered elsewhere
     * (Confluent's schema references): the referenced types are written by name, not inlined, and the registry
     * resolves them. {@code schema} itself is the full parsed schema, referenced types included. Returns the id.
     */
    default int register(String subject, Schema schema, List<SchemaReference> references) {
        if (references.isEmpty()) {
            return register(subject, schema);
        }
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support schema references");
    }

    /** Finds {@code schema}, registered with {@code references}, among the versions of {@code subject}. */
    default RegisteredSchema lookup(String subject, Schema schema, List<SchemaReference> references) {
        if (references.isEmpty()) {
            return lookup(subject, schema);
        }
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support schema references");
    }

    /**
     * The schema with the global {@code id} (error 40403 if there is none), with the types its references name
     * resolved, so it reads records on its own.
     */
    Schema getById(int id);

    /** All subjects that have at least one live version. */
    List<String> subjects();

    /** The live versions of {@code subject}, ascending. */
    List<Integer> versions(String subject);

    /** One version of a subject. */
    RegisteredSchema getVersion(String subject, int version);

    /** The newest live version of a subject. */
    RegisteredSchema getLatest(String subject);

    /**
     * The compatibility rule of {@code subject}, or the global one when {@code subject} is null or
     * the subject has none of its own.
     */
    CompatibilityLevel getCompatibility(String subject);

    /**
     * The rule set on {@code subject} itself, or empty when it has none of its own (then the global rule applies):
     * whether an operator, or Ferry, chose one for it. Registries answer 40408 for "none of its own"; older ones 40401.
     *
     * @throws UnsupportedOperationException by clients that cannot tell (the default)
     */
    default Optional<CompatibilityLevel> getSubjectCompatibility(String subject) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot tell a subject's own rule");
    }

    /** Sets the rule of {@code subject}, or the global rule when {@code subject} is null. */
    void setCompatibility(String subject, CompatibilityLevel level);

    /**
     * Whether {@code schema} could be registered after {@code version} of {@code subject} under the
     * subject's rule; {@code version} is a number or {@link #LATEST}.
     */
    boolean testCompatibility(String subject, String version, Schema schema);

    /** Soft-deletes every version of {@code subject}; returns the versions deleted. */
    List<Integer> deleteSubject(String subject);

    /** Soft-deletes one version of {@code subject}; returns it. */
    int deleteVersion(String subject, int version);
}

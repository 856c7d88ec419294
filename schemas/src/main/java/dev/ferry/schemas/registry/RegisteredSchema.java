package dev.ferry.schemas.registry;

import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One version of a subject: where a schema is registered and under which global id.
 *
 * @param subject the subject, e.g. {@code ferry.results-value}
 * @param version the version within the subject, from 1
 * @param id the registry-wide schema id, the one written after the magic byte
 * @param schema the parsed Avro schema, with the types its references name already resolved into it
 * @param references the references it was registered with (empty for a self-contained schema)
 */
public record RegisteredSchema(String subject, int version, int id, Schema schema, List<SchemaReference> references) {
    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        references = references == null ? List.of() : List.copyOf(references);
    }

    /** A version of a self-contained schema: no references. */
    public RegisteredSchema(String subject, int version, int id, Schema schema) {
        this(subject, version, id, schema, List.of());
    }
}

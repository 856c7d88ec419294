package dev.ferry.schemas.registry;

import java.util.Objects;

/**
 * A reference from a schema to a type registered under another subject, as Confluent's registry API spells it.
 *
 * @param name how the referring schema names the type; for Avro the referenced type's full name, e.g.
 *     {@code test.C}
 * @param subject the subject the referenced type is registered under
 * @param version its version there, from 1 (-1: the latest, which the registry replaces by the number)
 */
public record SchemaReference(String name, String subject, int version) {
    public SchemaReference {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(subject, "subject");
    }
}

package dev.ferry.embedded.internal.registry;

import java.util.List;

/** One version of a subject: the id of its schema, the schema itself, and whether it is soft-deleted. */
record SchemaVersion(String subject, int version, int id, SchemaContent content, boolean deleted) {

    String schema() {
        return content.schema();
    }

    String schemaType() {
        return content.schemaType();
    }

    List<SchemaReference> references() {
        return content.references();
    }

    /** Whether this version's schema names {@code subject} version {@code version} among its references. */
    boolean references(String referencedSubject, int referencedVersion) {
        return content.references().stream()
                .anyMatch(r -> r.subject().equals(referencedSubject) && r.version() == referencedVersion);
    }

    SchemaVersion softDeleted() {
        return new SchemaVersion(subject, version, id, content, true);
    }
}

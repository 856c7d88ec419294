package dev.ferry.embedded.internal.registry;

/** One version of a subject: the id of its schema, the schema's normalized text, and whether it is soft-deleted. */
record SchemaVersion(String subject, int version, int id, String schema, boolean deleted) {

    SchemaVersion softDeleted() {
        return new SchemaVersion(subject, version, id, schema, true);
    }
}

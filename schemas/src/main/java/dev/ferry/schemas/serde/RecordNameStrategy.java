package dev.ferry.schemas.serde;

import org.apache.avro.Schema;

/** The record's full name: one lineage per record type, shared by every topic that carries it. */
public final class RecordNameStrategy implements SubjectNameStrategy {

    @Override
    public String subjectName(String topic, boolean isKey, Schema schema) {
        return fullName(schema, getClass().getSimpleName());
    }

    static String fullName(Schema schema, String strategy) {
        return switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> schema.getFullName();
            default -> throw new IllegalArgumentException(strategy + " needs a named schema (record, enum or fixed), not "
                    + schema.getType());
        };
    }
}

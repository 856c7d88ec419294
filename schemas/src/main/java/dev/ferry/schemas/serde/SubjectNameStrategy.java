package dev.ferry.schemas.serde;

import org.apache.avro.Schema;

/**
 * Names the registry subject a record's schema is registered under. Chosen per serializer with
 * {@code key.subject.name.strategy} / {@code value.subject.name.strategy}; implementations must be
 * stateless and have a public no-argument constructor so they can be named in configuration.
 */
public interface SubjectNameStrategy {

    /**
     * @param topic the topic the record goes to
     * @param isKey whether the record is a key (or a value)
     * @param schema the schema of the record
     */
    String subjectName(String topic, boolean isKey, Schema schema);
}

package dev.ferry.schemas.serde.internal;

import dev.ferry.schemas.registry.RegisteredSchema;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Decides, once per (topic, record schema), which registered schema a serializer writes with, and
 * keeps the resulting {@link SchemaWriter}; after the first record of a schema the hot path makes
 * no registry call.
 */
public final class WriterResolver {

    private final SchemaRegistryClient registry;
    private final SerdeSettings settings;
    private final ConcurrentMap<String, ConcurrentMap<Schema, SchemaWriter>> writersByTopic = new ConcurrentHashMap<>();

    public WriterResolver(SchemaRegistryClient registry, SerdeSettings settings) {
        this.registry = registry;
        this.settings = settings;
    }

    /** Drops what is known of {@code topic}'s writers: its next write resolves its subject and id again. */
    public void forget(String topic) {
        writersByTopic.remove(topic);
    }

    public SchemaWriter writerFor(String topic, Schema schema) {
        ConcurrentMap<Schema, SchemaWriter> writers = writersByTopic.get(topic);
        if (writers == null) {
            writers = writersByTopic.computeIfAbsent(topic, t -> new ConcurrentHashMap<>());
        }
        SchemaWriter writer = writers.get(schema);
        if (writer == null) {
            // Outside computeIfAbsent: the registry call must not hold a map lock. A race costs one
            // duplicate, idempotent registry call.
            writer = resolve(topic, schema);
            SchemaWriter raced = writers.putIfAbsent(schema, writer);
            writer = raced != null ? raced : writer;
        }
        return writer;
    }

    private SchemaWriter resolve(String topic, Schema schema) {
        String subject;
        try {
            subject = settings.subjectNameStrategy().subjectName(topic, settings.isKey(), schema);
        } catch (RuntimeException e) {
            throw new SerializationException("Cannot name the subject of " + schema.getFullName() + " on topic "
                    + topic + ": " + e.getMessage(), e);
        }
        try {
            if (settings.useLatestVersion()) {
                return latestWriter(topic, subject, schema);
            }
            int id = settings.autoRegister() ? registry.register(subject, schema) : lookupId(subject, schema);
            return SchemaWriter.direct(id, schema);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot get a schema id for " + schema.getFullName() + " under subject "
                    + subject + " (topic " + topic + "): " + e.getMessage(), e);
        }
    }

    private int lookupId(String subject, Schema schema) {
        try {
            return registry.lookup(subject, schema).id();
        } catch (SchemaRegistryException e) {
            if (e.isNotFound() && !e.unavailable()) { // a 404 that is not the registry's own: a wrong URL, thrown as is
                throw new SerializationException("Schema " + schema.getFullName() + " is not registered under subject "
                        + subject + " and auto.register.schemas is false: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    private SchemaWriter latestWriter(String topic, String subject, Schema schema) {
        RegisteredSchema latest = registry.getLatest(subject);
        Schema target = latest.schema();
        if (target.equals(schema)
                || SchemaNormalization.parsingFingerprint64(target) == SchemaNormalization.parsingFingerprint64(schema)) {
            return SchemaWriter.direct(latest.id(), schema);
        }
        SchemaCompatibility.SchemaPairCompatibility check =
                SchemaCompatibility.checkReaderWriterCompatibility(target, schema);
        if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("Records of " + schema.getFullName() + " on topic " + topic
                    + " cannot be written with the latest schema of subject " + subject + " (version "
                    + latest.version() + ", id " + latest.id() + "), as use.latest.version asks: "
                    + check.getResult().getIncompatibilities());
        }
        return SchemaWriter.converting(latest.id(), schema, target);
    }
}

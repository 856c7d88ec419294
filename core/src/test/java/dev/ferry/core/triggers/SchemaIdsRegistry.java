package dev.ferry.core.triggers;

import dev.ferry.schemas.registry.CompatibilityLevel;
import dev.ferry.schemas.registry.RegisteredSchema;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A registry double with only what a serializer and {@link SourceDecoder} use: register (a new id per distinct
 * schema, from 1001 so every header byte matters) and getById, which it counts so a test can see what is cached,
 * and which can be made to fail like an unreachable registry.
 */
final class SchemaIdsRegistry implements SchemaRegistryClient {

    private final Map<Schema, Integer> ids = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1001);
    final AtomicInteger getByIdCalls = new AtomicInteger();
    private volatile SchemaRegistryException failure;

    /** Makes getById throw {@code failure} until called again with null, as an unreachable registry does. */
    void failWith(SchemaRegistryException failure) {
        this.failure = failure;
    }

    @Override
    public int register(String subject, Schema schema) {
        return ids.computeIfAbsent(schema, s -> {
            int id = nextId.getAndIncrement();
            schemas.put(id, s);
            return id;
        });
    }

    @Override
    public Schema getById(int id) {
        getByIdCalls.incrementAndGet();
        if (failure != null) {
            throw failure;
        }
        Schema schema = schemas.get(id);
        if (schema == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<String> subjects() {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Integer> versions(String subject) {
        throw new UnsupportedOperationException();
    }

    @Override
    public RegisteredSchema getVersion(String subject, int version) {
        throw new UnsupportedOperationException();
    }

    @Override
    public RegisteredSchema getLatest(String subject) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompatibilityLevel getCompatibility(String subject) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean testCompatibility(String subject, String version, Schema schema) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Integer> deleteSubject(String subject) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int deleteVersion(String subject, int version) {
        throw new UnsupportedOperationException();
    }
}

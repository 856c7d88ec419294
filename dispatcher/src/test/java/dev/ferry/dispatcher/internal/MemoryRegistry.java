package dev.ferry.dispatcher.internal;

import dev.ferry.schemas.registry.CompatibilityLevel;
import dev.ferry.schemas.registry.RegisteredSchema;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/** Just enough of a schema registry for the serde, in memory, with a switch that makes it unreachable. */
final class MemoryRegistry implements SchemaRegistryClient {

    private final List<Schema> byId = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private volatile boolean down;

    void down(boolean value) {
        down = value;
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        reachable();
        return ids.computeIfAbsent(schema.toString(), s -> {
            byId.add(schema);
            return byId.size();
        });
    }

    @Override
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        return new RegisteredSchema(subject, 1, register(subject, schema), schema);
    }

    @Override
    public synchronized Schema getById(int id) {
        reachable();
        if (id < 1 || id > byId.size()) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id
                    + " not found");
        }
        return byId.get(id - 1);
    }

    private void reachable() {
        if (down) {
            throw new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE,
                    "Connection refused");
        }
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

package dev.ferry.schemas.testing;

import dev.ferry.schemas.registry.CompatibilityLevel;
import dev.ferry.schemas.registry.RegisteredSchema;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A registry test double for broker-free serde tests: ids are global per distinct schema text, as in
 * the real registry, and every call is counted so tests can prove what the serde caches. No
 * compatibility checks (the integration tests use the real registry for those).
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {

    private final AtomicInteger calls = new AtomicInteger();
    private final Map<String, Integer> idsByText = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, TreeMap<Integer, Integer>> subjects = new HashMap<>();
    private int nextId;

    public InMemorySchemaRegistry() {
        this(1);
    }

    /** Ids start at {@code firstId}, so tests can use ids whose four bytes all differ. */
    public InMemorySchemaRegistry(int firstId) {
        this.nextId = firstId;
    }

    /** How many calls the client received so far. */
    public int calls() {
        return calls.get();
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        calls.incrementAndGet();
        int id = idsByText.computeIfAbsent(schema.toString(), text -> nextId++);
        schemasById.putIfAbsent(id, schema);
        TreeMap<Integer, Integer> versions = subjects.computeIfAbsent(subject, s -> new TreeMap<>());
        if (!versions.containsValue(id)) {
            versions.put(versions.isEmpty() ? 1 : versions.lastKey() + 1, id);
        }
        return id;
    }

    @Override
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        calls.incrementAndGet();
        TreeMap<Integer, Integer> versions = versionsOf(subject);
        Integer id = idsByText.get(schema.toString());
        for (Map.Entry<Integer, Integer> entry : versions.entrySet()) {
            if (entry.getValue().equals(id)) {
                return new RegisteredSchema(subject, entry.getKey(), id, schemasById.get(id));
            }
        }
        throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
    }

    @Override
    public synchronized Schema getById(int id) {
        calls.incrementAndGet();
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized List<String> subjects() {
        calls.incrementAndGet();
        return new ArrayList<>(subjects.keySet());
    }

    @Override
    public synchronized List<Integer> versions(String subject) {
        calls.incrementAndGet();
        return new ArrayList<>(versionsOf(subject).keySet());
    }

    @Override
    public synchronized RegisteredSchema getVersion(String subject, int version) {
        calls.incrementAndGet();
        Integer id = versionsOf(subject).get(version);
        if (id == null) {
            throw new SchemaRegistryException(404, SchemaRegistryException.VERSION_NOT_FOUND, "Version not found");
        }
        return new RegisteredSchema(subject, version, id, schemasById.get(id));
    }

    @Override
    public synchronized RegisteredSchema getLatest(String subject) {
        calls.incrementAndGet();
        Map.Entry<Integer, Integer> last = versionsOf(subject).lastEntry();
        return new RegisteredSchema(subject, last.getKey(), last.getValue(), schemasById.get(last.getValue()));
    }

    @Override
    public CompatibilityLevel getCompatibility(String subject) {
        calls.incrementAndGet();
        return CompatibilityLevel.NONE;
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        throw new UnsupportedOperationException("not needed by serde tests");
    }

    @Override
    public boolean testCompatibility(String subject, String version, Schema schema) {
        throw new UnsupportedOperationException("not needed by serde tests");
    }

    @Override
    public synchronized List<Integer> deleteSubject(String subject) {
        calls.incrementAndGet();
        return new ArrayList<>(subjects.remove(subject).keySet());
    }

    @Override
    public synchronized int deleteVersion(String subject, int version) {
        calls.incrementAndGet();
        versionsOf(subject).remove(version);
        return version;
    }

    private TreeMap<Integer, Integer> versionsOf(String subject) {
        TreeMap<Integer, Integer> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SUBJECT_NOT_FOUND,
                    "Subject '" + subject + "' not found.");
        }
        return versions;
    }
}

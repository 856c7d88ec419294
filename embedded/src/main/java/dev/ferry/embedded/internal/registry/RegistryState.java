package dev.ferry.embedded.internal.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The in-memory view of the registry, rebuilt from the store topic at start and updated after each write.
 * Holds facts only; the rules (what may be registered or deleted) live in {@link RegistryService}, which also
 * serializes all access.
 */
final class RegistryState {

    private final Map<String, TreeMap<Integer, SchemaVersion>> subjects = new TreeMap<>();
    private final Map<Integer, SchemaContent> schemasById = new HashMap<>();
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel;
    private int maxId;

    void putVersion(SchemaVersion version) {
        subjects.computeIfAbsent(version.subject(), s -> new TreeMap<>()).put(version.version(), version);
        schemasById.put(version.id(), version.content());
        idsBySchema.put(version.content().identity(), version.id());
        maxId = Math.max(maxId, version.id());
    }

    /** Forgets a version; its schema id stays resolvable while another version (even soft-deleted) uses it. */
    void removeVersion(String subject, int version) {
        TreeMap<Integer, SchemaVersion> versions = subjects.get(subject);
        if (versions == null) {
            return;
        }
        SchemaVersion removed = versions.remove(version);
        if (versions.isEmpty()) {
            subjects.remove(subject);
        }
        if (removed != null && !isIdUsed(removed.id())) {
            schemasById.remove(removed.id());
            idsBySchema.remove(removed.content().identity());
        }
    }

    private boolean isIdUsed(int id) {
        return subjects.values().stream().flatMap(v -> v.values().stream()).anyMatch(v -> v.id() == id);
    }

    void raiseMaxId(int id) {
        maxId = Math.max(maxId, id);
    }

    int maxId() {
        return maxId;
    }

    void setLevel(String subject, CompatibilityLevel level) {
        if (subject == null) {
            globalLevel = level;
        } else if (level == null) {
            subjectLevels.remove(subject);
        } else {
            subjectLevels.put(subject, level);
        }
    }

    Optional<CompatibilityLevel> globalLevel() {
        return Optional.ofNullable(globalLevel);
    }

    Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    /** Subjects with at least one live version, or with any version when {@code includeDeleted}. */
    List<String> subjects(boolean includeDeleted) {
        List<String> names = new ArrayList<>();
        subjects.forEach((name, versions) -> {
            if (includeDeleted || versions.values().stream().anyMatch(v -> !v.deleted())) {
                names.add(name);
            }
        });
        return names;
    }

    /** The subject's versions, oldest first; soft-deleted ones only when {@code includeDeleted}. */
    List<SchemaVersion> versions(String subject, boolean includeDeleted) {
        TreeMap<Integer, SchemaVersion> versions = subjects.get(subject);
        if (versions == null) {
            return List.of();
        }
        return versions.values().stream().filter(v -> includeDeleted || !v.deleted()).toList();
    }

    Optional<SchemaContent> schema(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    Optional<Integer> id(SchemaContent content) {
        return Optional.ofNullable(idsBySchema.get(content.identity()));
    }

    /**
     * The ids of the schemas whose references name {@code subject} version {@code version}, ascending. Soft-deleted
     * versions count: their data may still be read, so what they reference must stay.
     */
    List<Integer> referencedBy(String subject, int version) {
        return subjects.values().stream().flatMap(v -> v.values().stream())
                .filter(v -> v.references(subject, version)).map(SchemaVersion::id).distinct().sorted().toList();
    }

    /** Every version, in every subject, that uses schema {@code id}. */
    List<SchemaVersion> versionsWithId(int id, boolean includeDeleted) {
        return subjects.values().stream().flatMap(v -> v.values().stream())
                .filter(v -> v.id() == id && (includeDeleted || !v.deleted())).toList();
    }
}

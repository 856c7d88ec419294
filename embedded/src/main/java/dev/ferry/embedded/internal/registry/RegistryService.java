package dev.ferry.embedded.internal.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * The rules of a Confluent schema registry: global ids shared by identical schemas, per-subject versions,
 * compatibility checks, soft and permanent deletes.
 *
 * <p>Every change is written to the {@link SchemaLog} first and applied to the {@link RegistryState} only once
 * the broker has it, so an answer never reports a change that a restart would lose. All methods are
 * synchronized: the registry is the single writer of its topic, and registrations are rare.
 */
final class RegistryService {

    private final RegistryState state;
    private final Writer writer;

    /** Where changes go before they are applied; the topic in production, a list in unit tests. */
    @FunctionalInterface
    interface Writer {
        void append(String key, String value);
    }

    private RegistryService(RegistryState state, Writer writer) {
        this.state = state;
        this.writer = writer;
    }

    /** A service over an empty view; feed it the stored records with {@link #replay} before serving. */
    static RegistryService create(Writer writer) {
        return new RegistryService(new RegistryState(), writer);
    }

    /** Applies a stored record, as read back from the topic. */
    public synchronized void replay(String key, String value) {
        StoreRecords.apply(key, value, state);
    }

    /** Registers {@code schemaText} under {@code subject} and returns its global id. */
    public synchronized int register(String subject, String schemaText, String schemaType) {
        Schema schema = parse(schemaText, schemaType);
        String normalized = schema.toString();
        List<SchemaVersion> live = state.versions(subject, false);
        for (SchemaVersion v : live) {
            if (v.schema().equals(normalized)) {
                return v.id();
            }
        }
        CompatibilityLevel level = effectiveLevel(subject);
        List<String> problems = problems(level, schema, live);
        if (!problems.isEmpty()) {
            throw RegistryException.incompatible("subject '" + subject + "' (" + level + "): "
                    + String.join("; ", problems));
        }
        int id = state.id(normalized).orElseGet(() -> {
            int next = state.maxId() + 1;
            write(StoreRecords.idKey(), StoreRecords.idValue(next));
            return next;
        });
        int version = state.versions(subject, true).stream().mapToInt(SchemaVersion::version).max().orElse(0) + 1;
        SchemaVersion created = new SchemaVersion(subject, version, id, normalized, false);
        write(StoreRecords.schemaKey(subject, version), StoreRecords.schemaValue(created));
        return id;
    }

    /** The version of {@code subject} holding {@code schemaText}; 40401 or 40403 when there is none. */
    public synchronized SchemaVersion lookup(String subject, String schemaText, String schemaType,
            boolean includeDeleted) {
        List<SchemaVersion> versions = existingVersions(subject, includeDeleted);
        String normalized = parse(schemaText, schemaType).toString();
        SchemaVersion found = null;
        for (SchemaVersion v : versions) {
            if (v.schema().equals(normalized)) {
                found = v;
            }
        }
        if (found == null) {
            throw RegistryException.schemaNotFound("no version of subject '" + subject + "' has this schema");
        }
        return found;
    }

    public synchronized List<String> subjects(boolean includeDeleted) {
        return state.subjects(includeDeleted);
    }

    public synchronized List<Integer> versions(String subject, boolean includeDeleted) {
        return existingVersions(subject, includeDeleted).stream().map(SchemaVersion::version).toList();
    }

    /** One version, by number or {@code latest}; a soft-deleted one only with {@code includeDeleted}. */
    public synchronized SchemaVersion version(String subject, String versionSpec, boolean includeDeleted) {
        int requested = VersionSpec.parse(versionSpec);
        return find(existingVersions(subject, includeDeleted), subject, requested);
    }

    public synchronized String schema(int id) {
        return state.schema(id).orElseThrow(() -> RegistryException.schemaNotFound("id " + id));
    }

    /** The subject-versions using schema {@code id}; 40403 if no version uses it. */
    public synchronized List<SchemaVersion> versionsWithId(int id, boolean includeDeleted) {
        schema(id);
        return state.versionsWithId(id, includeDeleted);
    }

    /** Soft-deletes every live version, or with {@code permanent} erases a subject already soft-deleted. */
    public synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
        List<SchemaVersion> all = existingVersions(subject, true);
        List<SchemaVersion> live = state.versions(subject, false);
        List<Integer> deleted = new ArrayList<>();
        if (!permanent) {
            if (live.isEmpty()) {
                throw RegistryException.subjectSoftDeleted(subject);
            }
            for (SchemaVersion v : live) {
                write(StoreRecords.schemaKey(subject, v.version()), StoreRecords.schemaValue(v.softDeleted()));
                deleted.add(v.version());
            }
            return deleted;
        }
        if (!live.isEmpty()) {
            throw RegistryException.subjectNotSoftDeleted(subject);
        }
        for (SchemaVersion v : all) {
            write(StoreRecords.schemaKey(subject, v.version()), null);
            deleted.add(v.version());
        }
        // A permanently deleted subject starts from scratch if registered again, configuration included.
        if (state.subjectLevel(subject).isPresent()) {
            write(StoreRecords.configKey(subject), null);
        }
        return deleted;
    }

    /** Soft-deletes one version, or with {@code permanent} erases one already soft-deleted. */
    public synchronized int deleteVersion(String subject, String versionSpec, boolean permanent) {
        int requested = VersionSpec.parse(versionSpec);
        List<SchemaVersion> all = existingVersions(subject, true);
        // "latest" means the latest live version for a soft delete, and the latest of all for a permanent one.
        List<SchemaVersion> candidates = requested == VersionSpec.LATEST && !permanent
                ? all.stream().filter(v -> !v.deleted()).toList() : all;
        SchemaVersion v = find(candidates, subject, requested);
        if (!permanent) {
            if (v.deleted()) {
                throw RegistryException.versionSoftDeleted(subject, v.version());
            }
            write(StoreRecords.schemaKey(subject, v.version()), StoreRecords.schemaValue(v.softDeleted()));
        } else {
            if (!v.deleted()) {
                throw RegistryException.versionNotSoftDeleted(subject, v.version());
            }
            write(StoreRecords.schemaKey(subject, v.version()), null);
        }
        return v.version();
    }

    public synchronized CompatibilityLevel globalLevel() {
        return state.globalLevel().orElse(CompatibilityLevel.DEFAULT);
    }

    public synchronized CompatibilityLevel setGlobalLevel(String level) {
        CompatibilityLevel parsed = CompatibilityLevel.parse(level);
        write(StoreRecords.configKey(null), StoreRecords.configValue(parsed));
        return parsed;
    }

    /** The subject's own level; without one, the global level if {@code defaultToGlobal}, else 40408. */
    public synchronized CompatibilityLevel subjectLevel(String subject, boolean defaultToGlobal) {
        Optional<CompatibilityLevel> own = state.subjectLevel(subject);
        if (own.isPresent()) {
            return own.get();
        }
        if (defaultToGlobal) {
            return globalLevel();
        }
        throw RegistryException.subjectConfigNotFound(subject);
    }

    public synchronized CompatibilityLevel setSubjectLevel(String subject, String level) {
        CompatibilityLevel parsed = CompatibilityLevel.parse(level);
        write(StoreRecords.configKey(subject), StoreRecords.configValue(parsed));
        return parsed;
    }

    /** Removes the subject's own level, so the global one applies again; returns the removed level. */
    public synchronized CompatibilityLevel deleteSubjectLevel(String subject) {
        CompatibilityLevel previous = subjectLevel(subject, false);
        write(StoreRecords.configKey(subject), null);
        return previous;
    }

    /**
     * Why {@code schemaText} could not be registered under {@code subject}, judged against one version
     * ({@code versionSpec}) or, when it is null, against what a registration would check. Empty: compatible.
     */
    public synchronized List<String> compatibilityProblems(String subject, String versionSpec, String schemaText,
            String schemaType) {
        Schema schema = parse(schemaText, schemaType);
        CompatibilityLevel level = effectiveLevel(subject);
        if (versionSpec == null) {
            return problems(level, schema, state.versions(subject, false));
        }
        int requested = VersionSpec.parse(versionSpec);
        SchemaVersion against = find(existingVersions(subject, false), subject, requested);
        return level.problems(schema, parse(against.schema(), null));
    }

    private CompatibilityLevel effectiveLevel(String subject) {
        return state.subjectLevel(subject).or(state::globalLevel).orElse(CompatibilityLevel.DEFAULT);
    }

    private List<String> problems(CompatibilityLevel level, Schema candidate, List<SchemaVersion> live) {
        List<Schema> existing = live.stream().map(v -> parse(v.schema(), null)).toList();
        List<String> problems = new ArrayList<>();
        for (Schema previous : level.relevant(existing)) {
            problems.addAll(level.problems(candidate, previous));
        }
        return problems;
    }

    private List<SchemaVersion> existingVersions(String subject, boolean includeDeleted) {
        List<SchemaVersion> versions = state.versions(subject, includeDeleted);
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return versions;
    }

    private static SchemaVersion find(List<SchemaVersion> versions, String subject, int requested) {
        if (requested == VersionSpec.LATEST) {
            if (versions.isEmpty()) {
                throw RegistryException.versionNotFound(subject, "latest");
            }
            return versions.get(versions.size() - 1);
        }
        return versions.stream().filter(v -> v.version() == requested).findFirst()
                .orElseThrow(() -> RegistryException.versionNotFound(subject, requested));
    }

    private void write(String key, String value) {
        writer.append(key, value);
        StoreRecords.apply(key, value, state);
    }

    static Schema parse(String schemaText, String schemaType) {
        if (schemaType != null && !schemaType.isBlank() && !"AVRO".equals(schemaType.toUpperCase(Locale.ROOT))) {
            throw RegistryException.invalidSchema("schemaType " + schemaType
                    + " is not supported; this registry stores AVRO schemas only");
        }
        if (schemaText == null || schemaText.isBlank()) {
            throw RegistryException.invalidSchema("empty schema");
        }
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (AvroRuntimeException | IllegalArgumentException e) {
            throw RegistryException.invalidSchema(e.getMessage());
        }
    }
}

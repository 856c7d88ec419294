package dev.ferry.embedded.internal.registry;

import dev.ferry.embedded.internal.registry.SchemaParser.Parsed;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The rules of a Confluent schema registry: global ids shared by identical schemas, per-subject versions,
 * schema references (resolved at registration; a referenced version cannot be deleted, 42206), compatibility
 * checks, soft and permanent deletes.
 *
 * <p>Every change is written to the {@link SchemaLog} first and applied to the {@link RegistryState} only once
 * the broker has it, so an answer never reports a change that a restart would lose. All methods are
 * synchronized: the registry is the single writer of its topic, and registrations are rare.
 */
final class RegistryService {

    private final RegistryState state;
    private final SchemaParser parser;
    private final Writer writer;

    /** Where changes go before they are applied; the topic in production, a list in unit tests. */
    @FunctionalInterface
    interface Writer {
        void append(String key, String value);
    }

    private RegistryService(RegistryState state, Writer writer) {
        this.state = state;
        this.parser = new SchemaParser(state);
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

    /**
     * Registers {@code schemaText} under {@code subject} and returns its global id. The references are resolved
     * (recursively) among the registered versions first, so the schema may use the types they define; a reference
     * to version -1 is stored as the latest version it meant.
     */
    public synchronized int register(String subject, String schemaText, String schemaType,
            List<SchemaReference> references) {
        Parsed parsed = parser.parse(schemaText, schemaType, references);
        List<SchemaVersion> live = state.versions(subject, false);
        for (SchemaVersion v : live) {
            if (v.content().identity().equals(parsed.content().identity())) {
                return v.id();
            }
        }
        CompatibilityLevel level = effectiveLevel(subject);
        List<String> problems = problems(level, parsed, live);
        if (!problems.isEmpty()) {
            throw RegistryException.incompatible(subject, level, problems);
        }
        int id = state.id(parsed.content()).orElseGet(() -> {
            int next = state.maxId() + 1;
            write(StoreRecords.idKey(), StoreRecords.idValue(next));
            return next;
        });
        int version = state.versions(subject, true).stream().mapToInt(SchemaVersion::version).max().orElse(0) + 1;
        SchemaVersion created = new SchemaVersion(subject, version, id, parsed.content(), false);
        write(StoreRecords.schemaKey(subject, version), StoreRecords.schemaValue(created));
        return id;
    }

    /** Registers a schema without references. */
    public int register(String subject, String schemaText, String schemaType) {
        return register(subject, schemaText, schemaType, List.of());
    }

    /**
     * The version of {@code subject} holding {@code schemaText} with these references; 40401 when the subject has
     * no version, 40403 when none holds this schema.
     */
    public synchronized SchemaVersion lookup(String subject, String schemaText, String schemaType,
            List<SchemaReference> references, boolean includeDeleted) {
        List<SchemaVersion> versions = existingVersions(subject, includeDeleted);
        String identity = parser.parse(schemaText, schemaType, references).content().identity();
        SchemaVersion found = null;
        for (SchemaVersion v : versions) {
            if (v.content().identity().equals(identity)) {
                found = v;
            }
        }
        if (found == null) {
            throw RegistryException.schemaNotFound();
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
        return find(existingVersions(subject, includeDeleted), requested);
    }

    public synchronized SchemaContent schema(int id) {
        return state.schema(id).orElseThrow(() -> RegistryException.schemaNotFound(id));
    }

    /** The subjects with a version using schema {@code id}; 40403 if no version uses it. */
    public synchronized List<String> subjectsWithId(int id, boolean includeDeleted) {
        return versionsWithId(id, includeDeleted).stream().map(SchemaVersion::subject).distinct().toList();
    }

    /**
     * The ids of the schemas that reference {@code subject} version {@code versionSpec} ({@code latest}: the latest
     * live one), ascending; soft-deleted referrers included, since they still block its deletion.
     */
    public synchronized List<Integer> referencedBy(String subject, String versionSpec) {
        int requested = VersionSpec.parse(versionSpec);
        List<SchemaVersion> all = existingVersions(subject, true);
        List<SchemaVersion> candidates = requested == VersionSpec.LATEST
                ? all.stream().filter(v -> !v.deleted()).toList() : all;
        return state.referencedBy(subject, find(candidates, requested).version());
    }

    /** The ids of the schemas that reference any version holding schema {@code id}, ascending; 40403 if none. */
    public synchronized List<Integer> referencedBy(int id) {
        return versionsWithId(id, true).stream().flatMap(v -> state.referencedBy(v.subject(), v.version()).stream())
                .distinct().sorted().toList();
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
            live.forEach(this::requireUnreferenced);
            for (SchemaVersion v : live) {
                write(StoreRecords.schemaKey(subject, v.version()), StoreRecords.schemaValue(v.softDeleted()));
                deleted.add(v.version());
            }
            return deleted;
        }
        if (!live.isEmpty()) {
            throw RegistryException.subjectNotSoftDeleted(subject);
        }
        all.forEach(this::requireUnreferenced);
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
        SchemaVersion v = find(candidates, requested);
        if (!permanent) {
            if (v.deleted()) {
                throw RegistryException.versionSoftDeleted(subject, v.version());
            }
            requireUnreferenced(v);
            write(StoreRecords.schemaKey(subject, v.version()), StoreRecords.schemaValue(v.softDeleted()));
        } else {
            if (!v.deleted()) {
                throw RegistryException.versionNotSoftDeleted(subject, v.version());
            }
            requireUnreferenced(v);
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
     * ({@code versionSpec}) or, when it is null, against what a registration would check. Empty: compatible. A
     * subject without live versions accepts anything, so {@code latest} of such a subject is compatible, as in
     * Confluent's registry; a numbered version that does not exist is 40402.
     */
    public synchronized List<String> compatibilityProblems(String subject, String versionSpec, String schemaText,
            String schemaType, List<SchemaReference> references) {
        Integer requested = versionSpec == null ? null : VersionSpec.parse(versionSpec);
        Parsed candidate = parser.parse(schemaText, schemaType, references);
        CompatibilityLevel level = effectiveLevel(subject);
        List<SchemaVersion> live = state.versions(subject, false);
        if (requested == null) {
            return problems(level, candidate, live);
        }
        if (requested == VersionSpec.LATEST && live.isEmpty()) {
            return List.of();
        }
        return problems(level, candidate, find(live, requested));
    }

    private CompatibilityLevel effectiveLevel(String subject) {
        return state.subjectLevel(subject).or(state::globalLevel).orElse(CompatibilityLevel.DEFAULT);
    }

    private List<String> problems(CompatibilityLevel level, Parsed candidate, List<SchemaVersion> live) {
        List<String> problems = new ArrayList<>();
        for (SchemaVersion previous : level.relevant(live)) {
            problems.addAll(problems(level, candidate, previous));
        }
        return problems;
    }

    /**
     * Avro is judged by Avro's reader/writer rules. Under any level but NONE a schema of another type than the
     * version it follows is incompatible, as in Confluent's registry. This registry does not judge how JSON Schema
     * or Protobuf schemas evolve, so it says so rather than accept a change it cannot check: a changed JSON or
     * PROTOBUF schema needs level NONE.
     */
    private List<String> problems(CompatibilityLevel level, Parsed candidate, SchemaVersion previous) {
        if (level == CompatibilityLevel.NONE || candidate.content().identity().equals(previous.content().identity())) {
            return List.of();
        }
        String type = candidate.content().schemaType();
        if (!type.equals(previous.schemaType())) {
            return List.of("Incompatible because of different schema type: " + type + " after "
                    + previous.schemaType() + " (version " + previous.version() + ")");
        }
        if (!candidate.content().isAvro()) {
            return List.of("this registry does not judge the compatibility of changed " + type + " schemas"
                    + " (version " + previous.version() + " differs); register it under compatibility NONE");
        }
        return level.problems(candidate.avro(), avroOf(previous));
    }

    private void requireUnreferenced(SchemaVersion v) {
        if (!state.referencedBy(v.subject(), v.version()).isEmpty()) {
            throw RegistryException.referenceExists(new SchemaReference(null, v.subject(), v.version()));
        }
    }

    private List<SchemaVersion> existingVersions(String subject, boolean includeDeleted) {
        List<SchemaVersion> versions = state.versions(subject, includeDeleted);
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return versions;
    }

    private static SchemaVersion find(List<SchemaVersion> versions, int requested) {
        if (requested == VersionSpec.LATEST) {
            if (versions.isEmpty()) {
                throw RegistryException.versionNotFound(VersionSpec.LATEST);
            }
            return versions.get(versions.size() - 1);
        }
        return versions.stream().filter(v -> v.version() == requested).findFirst()
                .orElseThrow(() -> RegistryException.versionNotFound(requested));
    }

    private void write(String key, String value) {
        writer.append(key, value);
        StoreRecords.apply(key, value, state);
    }

    private Schema avroOf(SchemaVersion v) {
        return parser.parse(v.schema(), v.schemaType(), v.references()).avro();
    }
}

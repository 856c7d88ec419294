package dev.ferry.schemas.registry;

import dev.ferry.schemas.registry.internal.RegistryJson;
import dev.ferry.schemas.registry.internal.RegistryJson.CompatibilityCheck;
import dev.ferry.schemas.registry.internal.RegistryJson.CompatibilityConfig;
import dev.ferry.schemas.registry.internal.RegistryJson.IdResponse;
import dev.ferry.schemas.registry.internal.RegistryJson.SchemaRequest;
import dev.ferry.schemas.registry.internal.RegistryJson.SchemaResponse;
import dev.ferry.schemas.registry.internal.RegistryTransport;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SchemaRegistryClient} over the registry's REST API.
 *
 * <p>Caches what a registry never changes: the schema behind an id, and the id (and version) of a
 * schema under a subject; so serializing and deserializing the same schema again makes no HTTP call.
 * Deleting a subject or version forgets that subject's entries. Lists, latest versions and
 * compatibility settings change over time and are always fetched. Thread-safe.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    private static final Logger log = LoggerFactory.getLogger(RestSchemaRegistryClient.class);

    /** The registry's error code for "this subject has no compatibility level of its own". */
    private static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;

    private final RegistryTransport transport;
    private final ConcurrentMap<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final ConcurrentMap<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();
    private final ConcurrentMap<SubjectSchema, RegisteredSchema> lookups = new ConcurrentHashMap<>();
    private final ConcurrentMap<VersionKey, SchemaResponse> referencedVersions = new ConcurrentHashMap<>();

    public RestSchemaRegistryClient(SchemaRegistryClientConfig config) {
        this.transport = new RegistryTransport(config);
        log.debug("Schema registry client for {}", config);
    }

    /** A client for the {@code schema.registry.url} and basic-auth keys of a Kafka-style configuration. */
    public static RestSchemaRegistryClient fromConfig(Map<String, ?> configs) {
        return new RestSchemaRegistryClient(SchemaRegistryClientConfig.from(configs));
    }

    /** The registry URL the next call goes to first: the one that answered last. */
    public URI currentUrl() {
        return transport.currentUrl();
    }

    @Override
    public int register(String subject, Schema schema) {
        return register(subject, schema, List.of());
    }

    @Override
    public int register(String subject, Schema schema, List<SchemaReference> references) {
        SubjectSchema key = new SubjectSchema(subject, schema, List.copyOf(references));
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        IdResponse answer = RegistryJson.read(transport.post(subjectPath(subject) + "/versions",
                SchemaRequest.of(text(schema, references), references)), IdResponse.class);
        if (answer.id() == null) {
            throw new SchemaRegistryException(200, 200, "Registry answered no id when registering under " + subject);
        }
        int id = answer.id();
        log.info("Schema {} registered under subject {} with id {}", schema.getFullName(), subject, id);
        idsBySubjectSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        return lookup(subject, schema, List.of());
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema, List<SchemaReference> references) {
        SubjectSchema key = new SubjectSchema(subject, schema, List.copyOf(references));
        RegisteredSchema cached = lookups.get(key);
        if (cached != null) {
            return cached;
        }
        SchemaResponse answer = RegistryJson.read(transport.post(subjectPath(subject),
                SchemaRequest.of(text(schema, references), references)), SchemaResponse.class);
        RegisteredSchema found = toRegistered(subject, answer, "lookup in " + subject);
        lookups.put(key, found);
        idsBySubjectSchema.put(key, found.id());
        schemasById.putIfAbsent(found.id(), found.schema());
        return found;
    }

    /**
     * The ids of the schemas whose references name {@code subject} version {@code version}: what must be deleted
     * before that version can be.
     */
    public List<Integer> referencedBy(String subject, int version) {
        return RegistryJson.readIntList(transport.get(subjectPath(subject) + "/versions/" + version
                + "/referencedby"));
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        SchemaResponse answer = RegistryJson.read(transport.get("/schemas/ids/" + id), SchemaResponse.class);
        Schema schema = parse(answer, "schema id " + id);
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    @Override
    public List<String> subjects() {
        return RegistryJson.readStringList(transport.get("/subjects"));
    }

    @Override
    public List<Integer> versions(String subject) {
        return RegistryJson.readIntList(transport.get(subjectPath(subject) + "/versions"));
    }

    @Override
    public RegisteredSchema getVersion(String subject, int version) {
        return fetchVersion(subject, Integer.toString(version));
    }

    @Override
    public RegisteredSchema getLatest(String subject) {
        return fetchVersion(subject, LATEST);
    }

    @Override
    public CompatibilityLevel getCompatibility(String subject) {
        String path = subject == null ? "/config" : "/config/" + encode(subject) + "?defaultToGlobal=true";
        CompatibilityConfig answer = RegistryJson.read(transport.get(path), CompatibilityConfig.class);
        if (answer.level() == null) {
            throw new SchemaRegistryException(200, 200, "Registry answered no compatibility level for " + path);
        }
        return CompatibilityLevel.parse(answer.level());
    }

    @Override
    public Optional<CompatibilityLevel> getSubjectCompatibility(String subject) {
        Objects.requireNonNull(subject, "subject");
        String path = "/config/" + encode(subject);
        CompatibilityConfig answer;
        try {
            answer = RegistryJson.read(transport.get(path), CompatibilityConfig.class);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound() && (e.errorCode() == SUBJECT_COMPATIBILITY_NOT_CONFIGURED
                    || e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND)) {
                return Optional.empty();
            }
            throw e;
        }
        if (answer.level() == null) {
            throw new SchemaRegistryException(200, 200, "Registry answered no compatibility level for " + path);
        }
        return Optional.of(CompatibilityLevel.parse(answer.level()));
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        Objects.requireNonNull(level, "level");
        String path = subject == null ? "/config" : "/config/" + encode(subject);
        transport.put(path, new CompatibilityConfig(level.name(), null));
    }

    @Override
    public boolean testCompatibility(String subject, String version, Schema schema) {
        String path = "/compatibility" + subjectPath(subject) + "/versions/" + encode(version);
        return RegistryJson.read(transport.post(path, new SchemaRequest(schema.toString())), CompatibilityCheck.class)
                .isCompatible();
    }

    @Override
    public List<Integer> deleteSubject(String subject) {
        List<Integer> deleted = RegistryJson.readIntList(transport.delete(subjectPath(subject)));
        forget(subject);
        return deleted;
    }

    @Override
    public int deleteVersion(String subject, int version) {
        String answer = transport.delete(subjectPath(subject) + "/versions/" + version);
        forget(subject);
        try {
            return Integer.parseInt(answer.trim());
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException(200, 200, "Registry answered '" + answer
                    + "' instead of a version to DELETE " + subject + " version " + version, e);
        }
    }

    private RegisteredSchema fetchVersion(String subject, String version) {
        SchemaResponse answer = RegistryJson.read(
                transport.get(subjectPath(subject) + "/versions/" + encode(version)), SchemaResponse.class);
        RegisteredSchema found = toRegistered(subject, answer, subject + " version " + version);
        schemasById.putIfAbsent(found.id(), found.schema());
        return found;
    }

    private RegisteredSchema toRegistered(String subject, SchemaResponse answer, String what) {
        if (answer.id() == null || answer.version() == null) {
            throw new SchemaRegistryException(200, 200, "Registry answer for " + what + " lacks id or version");
        }
        return new RegisteredSchema(answer.subject() != null ? answer.subject() : subject, answer.version(),
                answer.id(), parse(answer, what), answer.references());
    }

    /**
     * The text to send for {@code schema}: with references, the types they define are written by name, as the
     * registry expects (it resolves them itself), instead of inlined.
     */
    private String text(Schema schema, List<SchemaReference> references) {
        if (references.isEmpty()) {
            return schema.toString();
        }
        Schema.Parser parser = parserKnowing(references, "the references of " + schema.getFullName());
        return schema.toString(new ArrayList<>(parser.getTypes().values()), false);
    }

    /**
     * A parser that knows every named type the references define, their own references first (Confluent's
     * order), so a schema that uses them by name parses.
     */
    private Schema.Parser parserKnowing(List<SchemaReference> references, String what) {
        Map<String, String> texts = new LinkedHashMap<>();
        collect(references, texts, new HashSet<>());
        Schema.Parser parser = new Schema.Parser();
        for (Map.Entry<String, String> dependency : texts.entrySet()) {
            try {
                parser.parse(dependency.getValue());
            } catch (RuntimeException e) { // not only SchemaParseException: an NPE for an unknown name
                throw new UnreadableSchemaException("The referenced schema " + dependency.getKey()
                        + " of " + what + " is not valid Avro: " + e.getMessage(), e);
            }
        }
        return parser;
    }

    private void collect(List<SchemaReference> references, Map<String, String> texts, Set<String> path) {
        for (SchemaReference reference : references) {
            SchemaResponse target = referenced(reference);
            String key = reference.subject() + " version " + target.version();
            if (texts.containsKey(key)) {
                continue;
            }
            if (!path.add(key)) {
                throw new UnreadableSchemaException("Circular schema reference through " + key);
            }
            collect(target.references(), texts, path);
            path.remove(key);
            texts.put(key, target.schema());
        }
    }

    /** A referenced version; soft-deleted ones included, since data written with them must stay readable. */
    private SchemaResponse referenced(SchemaReference reference) {
        VersionKey key = new VersionKey(reference.subject(), reference.version());
        SchemaResponse cached = referencedVersions.get(key);
        if (cached != null) {
            return cached;
        }
        String version = reference.version() == -1 ? LATEST : Integer.toString(reference.version());
        SchemaResponse answer = RegistryJson.read(transport.get(subjectPath(reference.subject()) + "/versions/"
                + encode(version) + "?deleted=true"), SchemaResponse.class);
        if (answer.schema() == null || answer.version() == null) {
            throw new SchemaRegistryException(200, 200, "Registry answer for reference " + reference
                    + " has no schema or version");
        }
        if (reference.version() != -1) {
            // A numbered version never changes; "latest" does.
            referencedVersions.putIfAbsent(key, answer);
        }
        return answer;
    }

    private Schema parse(SchemaResponse answer, String what) {
        if (!answer.isAvro()) {
            throw new UnreadableSchemaException("The schema of " + what + " is " + answer.schemaType()
                    + ", not AVRO; Ferry reads Avro only");
        }
        if (answer.schema() == null) {
            throw new SchemaRegistryException(200, 200, "Registry answer for " + what + " has no schema");
        }
        Schema.Parser parser = answer.references().isEmpty() ? new Schema.Parser()
                : parserKnowing(answer.references(), what);
        try {
            return parser.parse(answer.schema());
        } catch (RuntimeException e) { // Avro's parser throws more than SchemaParseException: an NPE for a bad name
            throw new UnreadableSchemaException("The registry's schema of " + what + " is not valid Avro: "
                    + e.getMessage(), e);
        }
    }

    private void forget(String subject) {
        idsBySubjectSchema.keySet().removeIf(key -> key.subject().equals(subject));
        lookups.keySet().removeIf(key -> key.subject().equals(subject));
    }

    private static String subjectPath(String subject) {
        Objects.requireNonNull(subject, "subject");
        return "/subjects/" + encode(subject);
    }

    private static String encode(String segment) {
        // URLEncoder writes form encoding; a path segment needs %20, not '+'.
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Avro's Schema caches its hash, so this key is cheap on the hot path. */
    private record SubjectSchema(String subject, Schema schema, List<SchemaReference> references) {
    }

    private record VersionKey(String subject, int version) {
    }
}

package dev.ferry.embedded.internal.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * Turns what a client sent ({@code schema}, {@code schemaType}, {@code references}) into what the registry stores
 * and compares: references resolved against the registered versions, the text normalized per type. Reads the
 * {@link RegistryState} only; {@link RegistryService} serializes access to both.
 */
final class SchemaParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryState state;

    SchemaParser(RegistryState state) {
        this.state = state;
    }

    /**
     * A schema parsed with its references known: what is stored, and for AVRO the schema compatibility judges
     * (null for JSON and PROTOBUF).
     */
    record Parsed(SchemaContent content, Schema avro) {
    }

    /**
     * Parses a schema the way Confluent's registry does: the referenced schemas first (deepest first), into one
     * parser, so the named types they define are known; then the schema itself. Its normalized text names the
     * referenced types instead of inlining them, so it reads the same as what was registered.
     */
    Parsed parse(String schemaText, String schemaType, List<SchemaReference> references) {
        SchemaContent unchecked = new SchemaContent(schemaType, "", references);
        if (!SchemaContent.TYPES.contains(unchecked.schemaType())) {
            throw RegistryException.invalidSchema("schemaType " + schemaType + " is not one of "
                    + SchemaContent.TYPES);
        }
        if (schemaText == null || schemaText.isBlank()) {
            throw RegistryException.invalidSchema("empty schema");
        }
        List<SchemaReference> concrete = new ArrayList<>();
        Map<String, SchemaContent> dependencies = new LinkedHashMap<>();
        for (SchemaReference reference : unchecked.references()) {
            SchemaVersion target = referenced(reference);
            concrete.add(new SchemaReference(reference.name(), target.subject(), target.version()));
            collect(target, dependencies, new HashSet<>());
        }
        return switch (unchecked.schemaType()) {
            case SchemaContent.JSON -> new Parsed(new SchemaContent(SchemaContent.JSON, normalizedJson(schemaText),
                    concrete), null);
            // Without a .proto parser the text is kept as sent (trimmed): the same text has the same id.
            case SchemaContent.PROTOBUF -> new Parsed(new SchemaContent(SchemaContent.PROTOBUF,
                    schemaText.strip(), concrete), null);
            default -> parseAvro(schemaText, concrete, dependencies.values());
        };
    }

    private static Parsed parseAvro(String schemaText, List<SchemaReference> concrete,
            Iterable<SchemaContent> dependencies) {
        try {
            Schema.Parser parser = new Schema.Parser();
            for (SchemaContent dependency : dependencies) {
                if (!dependency.isAvro()) {
                    throw RegistryException.invalidSchema("an AVRO schema cannot reference a "
                            + dependency.schemaType() + " schema");
                }
                parser.parse(dependency.schema());
            }
            List<Schema> known = new ArrayList<>(parser.getTypes().values());
            Schema schema = parser.parse(schemaText);
            String normalized = known.isEmpty() ? schema.toString() : schema.toString(known, false);
            return new Parsed(new SchemaContent(SchemaContent.AVRO, normalized, concrete), schema);
        } catch (AvroRuntimeException | IllegalArgumentException | NullPointerException e) {
            // Avro 1.12's parser throws a NullPointerException for a name it cannot resolve ("Foo" alone): the
            // schema is invalid (42201), not the registry broken (tester, session 14: 500 50001).
            throw RegistryException.invalidSchema(e.getMessage());
        }
    }

    /** A JSON Schema is a JSON object or boolean; printed again compactly, so whitespace does not make a new id. */
    private static String normalizedJson(String schemaText) {
        try {
            JsonNode node = JSON.readTree(schemaText);
            if (node == null || !(node.isObject() || node.isBoolean())) {
                throw RegistryException.invalidSchema("a JSON schema must be a JSON object or boolean");
            }
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw RegistryException.invalidSchema("not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Adds {@code target}'s own references (recursively) and then {@code target} to {@code out}, once each. */
    private void collect(SchemaVersion target, Map<String, SchemaContent> out, Set<String> path) {
        String key = target.subject() + '\u0000' + target.version();
        if (out.containsKey(key)) {
            return;
        }
        if (!path.add(key)) {
            throw RegistryException.invalidSchema("circular reference through subject '" + target.subject()
                    + "' version " + target.version());
        }
        for (SchemaReference reference : target.references()) {
            collect(referenced(reference), out, path);
        }
        path.remove(key);
        out.put(key, target.content());
    }

    /** The version a reference names; -1 means the latest live one. Soft-deleted versions still resolve. */
    private SchemaVersion referenced(SchemaReference reference) {
        if (reference.subject() == null || reference.subject().isEmpty()) {
            throw RegistryException.referenceNotFound(reference);
        }
        if (reference.version() == VersionSpec.LATEST) {
            List<SchemaVersion> live = state.versions(reference.subject(), false);
            if (live.isEmpty()) {
                throw RegistryException.referenceNotFound(reference);
            }
            return live.get(live.size() - 1);
        }
        return state.versions(reference.subject(), true).stream().filter(v -> v.version() == reference.version())
                .findFirst().orElseThrow(() -> RegistryException.referenceNotFound(reference));
    }
}

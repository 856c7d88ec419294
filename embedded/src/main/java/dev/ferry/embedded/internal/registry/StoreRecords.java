package dev.ferry.embedded.internal.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of the store topic: JSON keys and values, one key per fact, so compaction keeps the latest state
 * of each fact and a {@code null} value (tombstone) erases it.
 *
 * <ul>
 *   <li>{@code {"keytype":"SCHEMA","subject":s,"version":v}} → the version ({@code null}: permanently deleted):
 *       {@code subject, version, id, schema, deleted}, and as in Confluent's store {@code schemaType} (left out for
 *       AVRO) and {@code references} ({@code [{"name","subject","version"}]}, left out when there are none)
 *   <li>{@code {"keytype":"CONFIG","subject":s}} → {@code {"compatibilityLevel":...}} ({@code subject} null for
 *       the global level; a {@code null} value removes a subject's level)
 *   <li>{@code {"keytype":"SCHEMA_ID"}} → {@code {"maxId":n}}: the highest id ever handed out, so ids are never
 *       reused, not even after every version using one was permanently deleted
 * </ul>
 */
final class StoreRecords {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreRecords() {
    }

    static String schemaKey(String subject, int version) {
        ObjectNode key = JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", subject);
        return write(key.put("version", version));
    }

    static String schemaValue(SchemaVersion v) {
        ObjectNode value = JSON.createObjectNode().put("subject", v.subject()).put("version", v.version())
                .put("id", v.id()).put("schema", v.schema()).put("deleted", v.deleted());
        if (!v.content().isAvro()) {
            value.put("schemaType", v.schemaType());
        }
        if (!v.references().isEmpty()) {
            ArrayNode references = value.putArray("references");
            v.references().forEach(r -> references.addObject().put("name", r.name()).put("subject", r.subject())
                    .put("version", r.version()));
        }
        return write(value);
    }

    static String configKey(String subject) {
        return write(JSON.createObjectNode().put("keytype", "CONFIG").put("subject", subject));
    }

    static String configValue(CompatibilityLevel level) {
        return write(JSON.createObjectNode().put("compatibilityLevel", level.name()));
    }

    static String idKey() {
        return write(JSON.createObjectNode().put("keytype", "SCHEMA_ID"));
    }

    static String idValue(int maxId) {
        return write(JSON.createObjectNode().put("maxId", maxId));
    }

    /** Applies one record to the view; records of kinds this version does not know are skipped. */
    static void apply(String key, String value, RegistryState state) {
        JsonNode k = read(key);
        JsonNode v = value == null ? null : read(value);
        switch (k.path("keytype").asText()) {
            case "SCHEMA" -> {
                String subject = k.path("subject").asText();
                if (v == null) {
                    state.removeVersion(subject, k.path("version").asInt());
                } else {
                    List<SchemaReference> references = new ArrayList<>();
                    v.path("references").forEach(r -> references.add(new SchemaReference(r.path("name").asText(),
                            r.path("subject").asText(), r.path("version").asInt())));
                    SchemaContent content = new SchemaContent(v.path("schemaType").asText(null),
                            v.path("schema").asText(), references);
                    state.putVersion(new SchemaVersion(subject, v.path("version").asInt(), v.path("id").asInt(),
                            content, v.path("deleted").asBoolean(false)));
                }
            }
            case "CONFIG" -> {
                String subject = k.path("subject").isTextual() ? k.path("subject").asText() : null;
                state.setLevel(subject, v == null ? null : CompatibilityLevel.parse(v.path("compatibilityLevel")
                        .asText()));
            }
            case "SCHEMA_ID" -> {
                if (v != null) {
                    state.raiseMaxId(v.path("maxId").asInt());
                }
            }
            default -> {
                // Written by a newer registry: ignoring it keeps this one readable rather than failing at start.
            }
        }
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize " + node, e);
        }
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable record in the schema store: " + json, e);
        }
    }
}

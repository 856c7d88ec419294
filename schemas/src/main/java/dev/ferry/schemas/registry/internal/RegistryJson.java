package dev.ferry.schemas.registry.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.schemas.registry.SchemaReference;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.util.List;

/**
 * The JSON bodies of the registry API. Registries of different generations add fields over time
 * (ruleSet, metadata, guid...), so unknown fields are ignored rather than failing the call.
 */
public final class RegistryJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private RegistryJson() {
    }

    /**
     * Body of register, lookup and compatibility checks; {@code schemaType} is left out for Avro, which old
     * registries reject, and so are {@code references} when there are none (null).
     */
    public record SchemaRequest(String schema, List<SchemaReference> references) {
        public SchemaRequest(String schema) {
            this(schema, null);
        }

        public static SchemaRequest of(String schema, List<SchemaReference> references) {
            return new SchemaRequest(schema, references == null || references.isEmpty() ? null : references);
        }
    }

    /**
     * Answer of GET /schemas/ids, lookup and GET versions; a missing {@code schemaType} means AVRO, missing
     * {@code references} none.
     */
    public record SchemaResponse(String subject, Integer version, Integer id, String schema, String schemaType,
                                 List<SchemaReference> references) {
        public SchemaResponse {
            references = references == null ? List.of() : List.copyOf(references);
        }

        public boolean isAvro() {
            return schemaType == null || schemaType.equalsIgnoreCase("AVRO");
        }
    }

    public record IdResponse(Integer id) {
    }

    /** GET /config answers {@code compatibilityLevel}; PUT /config answers {@code compatibility}. */
    public record CompatibilityConfig(String compatibility, String compatibilityLevel) {
        public String level() {
            return compatibilityLevel != null ? compatibilityLevel : compatibility;
        }
    }

    public record CompatibilityCheck(@JsonProperty("is_compatible") boolean isCompatible) {
    }

    public record ErrorResponse(@JsonProperty("error_code") Integer errorCode, String message) {
    }

    public static String write(Object body) {
        try {
            return MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot encode registry request " + body.getClass().getSimpleName(), e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new SchemaRegistryException(200, 200, "Empty registry answer where a "
                        + type.getSimpleName() + " was expected");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException(200, 200, "Unreadable registry answer: " + snippet(json), e);
        }
    }

    public static List<Integer> readIntList(String json) {
        return readList(json, new TypeReference<List<Integer>>() { });
    }

    public static List<String> readStringList(String json) {
        return readList(json, new TypeReference<List<String>>() { });
    }

    /** The error body if it is one, else null (a proxy in front of the registry may answer HTML). */
    static ErrorResponse readErrorOrNull(String body) {
        try {
            return body == null || body.isBlank() ? null : MAPPER.readValue(body, ErrorResponse.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static String snippet(String text) {
        if (text == null) {
            return "";
        }
        String flat = text.replaceAll("\\s+", " ").trim();
        return flat.length() <= 200 ? flat : flat.substring(0, 200) + "...";
    }

    private static <T> List<T> readList(String json, TypeReference<List<T>> type) {
        try {
            List<T> value = MAPPER.readValue(json, type);
            return value == null ? List.of() : List.copyOf(value);
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException(200, 200, "Unreadable registry answer: " + snippet(json), e);
        }
    }
}

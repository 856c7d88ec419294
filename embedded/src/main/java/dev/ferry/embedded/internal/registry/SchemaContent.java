package dev.ferry.embedded.internal.registry;

import java.util.List;
import java.util.Locale;

/**
 * What makes a schema a schema in this registry: its type, its normalized text and the references it was
 * registered with. Two registrations share an id exactly when these three are equal, as in Confluent's registry.
 *
 * @param schemaType {@code AVRO}, {@code JSON} or {@code PROTOBUF}, upper case
 * @param schema the normalized text (for Avro: parsed and printed again, referenced types by name only)
 * @param references the references, in the order given at registration
 */
record SchemaContent(String schemaType, String schema, List<SchemaReference> references) {

    static final String AVRO = "AVRO";
    static final String JSON = "JSON";
    static final String PROTOBUF = "PROTOBUF";
    /** The types this registry stores, in the order Confluent's {@code GET /schemas/types} lists them. */
    static final List<String> TYPES = List.of(JSON, PROTOBUF, AVRO);

    SchemaContent {
        schemaType = schemaType == null || schemaType.isBlank() ? AVRO : schemaType.trim().toUpperCase(Locale.ROOT);
        references = references == null ? List.of() : List.copyOf(references);
    }

    boolean isAvro() {
        return AVRO.equals(schemaType);
    }

    /** One string per distinct schema, for the id index; the separators cannot occur inside a subject name. */
    String identity() {
        StringBuilder key = new StringBuilder(schemaType).append('\u0000');
        for (SchemaReference r : references) {
            key.append(r.name()).append('\u0001').append(r.subject()).append('\u0001').append(r.version())
                    .append('\u0002');
        }
        return key.append('\u0000').append(schema).toString();
    }
}

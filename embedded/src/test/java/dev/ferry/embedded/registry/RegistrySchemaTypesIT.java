package dev.ferry.embedded.registry;

import static dev.ferry.embedded.registry.RegistryHttp.object;
import static dev.ferry.embedded.registry.RegistryHttp.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.embedded.registry.RegistryHttp.Response;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * JSON Schema and Protobuf schemas ({@code schemaType}, issue 12): stored and served with Confluent's rules, the
 * type in every answer but AVRO's, one id per identical schema, references and their deletion rule as for Avro.
 */
@FerryKafkaTest
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegistrySchemaTypesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_SCHEMA = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}}}";
    private static final String PROTO_ADDRESS = "syntax = \"proto3\";\npackage ferry.it;\n\n"
            + "message Address {\n  string city = 1;\n}\n";
    private static final String PROTO_CUSTOMER = "syntax = \"proto3\";\npackage ferry.it;\n"
            + "import \"address.proto\";\n\nmessage Customer {\n  string name = 1;\n  Address address = 2;\n}\n";

    private RegistryHttp http;
    private String subject;

    @BeforeEach
    void setUp(KafkaFixture kafka) {
        http = new RegistryHttp(kafka.schemaRegistryUrl());
        subject = "types-" + UUID.randomUUID() + "-value";
    }

    @Test
    void shouldServeAJsonSchemaWithItsTypeWhenRegistered() throws Exception {
        Response r = register(subject, "JSON", JSON_SCHEMA);
        int id = r.body().path("id").asInt();

        Response version = http.get("/subjects/" + subject + "/versions/1");
        Response byId = http.get("/schemas/ids/" + id);

        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(version.body().path("schemaType").asText()).isEqualTo("JSON");
        assertThat(byId.body().path("schemaType").asText()).isEqualTo("JSON");
        assertThat(JSON.readTree(byId.body().path("schema").asText())).isEqualTo(JSON.readTree(JSON_SCHEMA));
    }

    @Test
    void shouldGiveTheSameIdWhenTheSameJsonSchemaComesWithOtherWhitespaceOrSubject() {
        int id = register(subject, "JSON", JSON_SCHEMA).body().path("id").asInt();
        String other = "types-" + UUID.randomUUID() + "-value";

        int again = register(subject, "JSON", JSON_SCHEMA.replace(":", " : ").replace(",", ",\n ")).body()
                .path("id").asInt();
        int elsewhere = register(other, "JSON", JSON_SCHEMA).body().path("id").asInt();
        Response found = http.post("/subjects/" + subject, body("JSON", JSON_SCHEMA));

        assertThat(again).isEqualTo(id);
        assertThat(elsewhere).isEqualTo(id);
        assertThat(http.get("/subjects/" + subject + "/versions").body().toString()).isEqualTo("[1]");
        assertThat(found.body().path("id").asInt()).isEqualTo(id);
        assertThat(found.body().path("schemaType").asText()).isEqualTo("JSON");
    }

    @Test
    void shouldGiveAnAvroAndAJsonSchemaOfTheSameTextDifferentIds() {
        String avro = record("Same", "{\"name\":\"x\",\"type\":\"int\"}");
        int avroId = http.registerOk(subject, avro);
        String other = "types-" + UUID.randomUUID() + "-value";

        int jsonId = register(other, "JSON", avro).body().path("id").asInt();

        assertThat(jsonId).isNotEqualTo(avroId);
    }

    @Test
    void shouldStoreProtobufWithReferencesAndRefuseToDeleteWhatItImports() {
        String addressSubject = "address-" + UUID.randomUUID();
        int addressId = register(addressSubject, "PROTOBUF", PROTO_ADDRESS).body().path("id").asInt();
        ObjectNode customer = body("PROTOBUF", PROTO_CUSTOMER);
        customer.putArray("references").addObject().put("name", "address.proto").put("subject", addressSubject)
                .put("version", 1);

        Response r = http.post("/subjects/" + subject + "/versions", customer);
        int id = r.body().path("id").asInt();

        assertThat(r.status()).as("%s", r).isEqualTo(200);
        Response byId = http.get("/schemas/ids/" + id);
        assertThat(byId.body().path("schemaType").asText()).isEqualTo("PROTOBUF");
        assertThat(byId.body().path("schema").asText()).isEqualTo(PROTO_CUSTOMER.strip());
        assertThat(byId.body().path("references").get(0).path("name").asText()).isEqualTo("address.proto");
        assertThat(http.get("/schemas/ids/" + addressId + "/referencedby").body().toString()).contains(
                String.valueOf(id));
        assertThat(http.post("/subjects/" + subject + "/versions", customer).body().path("id").asInt())
                .isEqualTo(id);
        assertThat(http.delete("/subjects/" + addressSubject).errorCode()).isEqualTo(42206);
    }

    @Test
    void shouldRefuseAnotherSchemaTypeInASubjectUnlessCompatibilityIsNone() {
        register(subject, "JSON", JSON_SCHEMA);

        Response refused = http.register(subject, record("Other", "{\"name\":\"x\",\"type\":\"int\"}"));

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().path("message").asText()).startsWith("Schema being registered is incompatible"
                + " with an earlier schema for subject \"" + subject + "\", details: [")
                .contains("different schema type");
        http.put("/config/" + subject, object("compatibility", "NONE"));
        assertThat(http.register(subject, record("Other", "{\"name\":\"x\",\"type\":\"int\"}")).status())
                .isEqualTo(200);
    }

    @Test
    void shouldSayItDoesNotJudgeAChangedJsonSchemaUnlessCompatibilityIsNone() {
        register(subject, "JSON", JSON_SCHEMA);
        String changed = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}}";

        Response refused = register(subject, "JSON", changed);
        Response check = http.post("/compatibility/subjects/" + subject + "/versions/latest?verbose=true",
                body("JSON", changed));

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().path("message").asText()).contains("does not judge");
        assertThat(check.body().path("is_compatible").asBoolean()).isFalse();
        http.put("/config/" + subject, object("compatibility", "NONE"));
        assertThat(register(subject, "JSON", changed).status()).isEqualTo(200);
    }

    @Test
    void shouldAnswer42201WhenAJsonSchemaIsNotJson() {
        Response r = register(subject, "JSON", "{not json");

        assertThat(r.status()).isEqualTo(422);
        assertThat(r.errorCode()).isEqualTo(42201);
        assertThat(register(subject, "JSON", "[1,2]").errorCode()).isEqualTo(42201);
    }

    private static ObjectNode body(String type, String schema) {
        return JSON.createObjectNode().put("schemaType", type).put("schema", schema);
    }

    private Response register(String subject, String type, String schema) {
        return http.post("/subjects/" + subject + "/versions", body(type, schema));
    }
}

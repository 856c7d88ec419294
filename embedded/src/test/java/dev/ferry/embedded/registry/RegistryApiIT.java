package dev.ferry.embedded.registry;

import static dev.ferry.embedded.registry.RegistryHttp.VND;
import static dev.ferry.embedded.registry.RegistryHttp.object;
import static dev.ferry.embedded.registry.RegistryHttp.record;
import static dev.ferry.embedded.registry.RegistryHttp.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.embedded.registry.RegistryHttp.Response;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Registration, reads and lookups of the Confluent REST API, against the shared embedded registry. */
@FerryKafkaTest
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegistryApiIT {

    private static final String USER_V1 = record("User", "{\"name\":\"name\",\"type\":\"string\"}");
    private static final String USER_V2 = record("User", "{\"name\":\"name\",\"type\":\"string\"}",
            "{\"name\":\"age\",\"type\":\"int\",\"default\":0}");

    private RegistryHttp http;
    private String subject;

    @BeforeEach
    void setUp(KafkaFixture kafka) {
        http = new RegistryHttp(kafka.schemaRegistryUrl());
        subject = "api-" + UUID.randomUUID() + "-value";
    }

    @Test
    void shouldReturnTheExistingIdWithoutANewVersionWhenASchemaIsRegisteredAgain() {
        int first = http.registerOk(subject, USER_V1);
        int second = http.registerOk(subject, USER_V1);

        assertThat(second).isEqualTo(first);
        assertThat(http.get("/subjects/" + subject + "/versions").body()).hasSize(1);
    }

    @Test
    void shouldShareOneIdWhenTheSameSchemaIsRegisteredInTwoSubjects() {
        String other = "api-" + UUID.randomUUID() + "-value";
        int id = http.registerOk(subject, USER_V1);
        // Same schema, different whitespace: still the same schema.
        int otherId = http.registerOk(other, USER_V1.replace(",", " ,\n  "));

        assertThat(otherId).isEqualTo(id);
        assertThat(http.get("/subjects/" + other + "/versions/1").body().path("id").asInt()).isEqualTo(id);
    }

    @Test
    void shouldGiveNewIdsAndIncreasingVersionsWhenASubjectEvolves() {
        int v1 = http.registerOk(subject, USER_V1);
        int v2 = http.registerOk(subject, USER_V2);

        assertThat(v2).isNotEqualTo(v1);
        assertThat(http.get("/subjects/" + subject + "/versions").body().toString()).isEqualTo("[1,2]");
        Response latest = http.get("/subjects/" + subject + "/versions/latest");
        assertThat(latest.status()).isEqualTo(200);
        assertThat(latest.body().path("subject").asText()).isEqualTo(subject);
        assertThat(latest.body().path("version").asInt()).isEqualTo(2);
        assertThat(latest.body().path("id").asInt()).isEqualTo(v2);
        assertThat(latest.body().has("schemaType")).as("schemaType is omitted for AVRO").isFalse();
        Response first = http.get("/subjects/" + subject + "/versions/1");
        assertThat(first.body().path("id").asInt()).isEqualTo(v1);
        assertThat(parse(first.body().path("schema").asText())).isEqualTo(parse(USER_V1));
    }

    @Test
    void shouldListARegisteredSubjectWhenSubjectsAreListed() {
        http.registerOk(subject, USER_V1);

        Response subjects = http.get("/subjects");

        assertThat(subjects.status()).isEqualTo(200);
        assertThat(subjects.body().isArray()).isTrue();
        assertThat(subjects.body()).anyMatch(s -> s.asText().equals(subject));
    }

    @Test
    void shouldResolveTheSchemaByIdWhenRegistered() {
        int id = http.registerOk(subject, USER_V2);

        Response byId = http.get("/schemas/ids/" + id);

        assertThat(byId.status()).isEqualTo(200);
        assertThat(parse(byId.body().path("schema").asText())).isEqualTo(parse(USER_V2));
    }

    @Test
    void shouldFindTheVersionWhenARegisteredSchemaIsLookedUp() {
        http.registerOk(subject, USER_V1);
        int id = http.registerOk(subject, USER_V2);

        Response found = http.post("/subjects/" + subject, schemaBody(USER_V2));

        assertThat(found.status()).isEqualTo(200);
        assertThat(found.body().path("subject").asText()).isEqualTo(subject);
        assertThat(found.body().path("version").asInt()).isEqualTo(2);
        assertThat(found.body().path("id").asInt()).isEqualTo(id);
        assertThat(found.body().path("schema").isTextual()).isTrue();
    }

    @Test
    void shouldAnswer40401WhenTheSubjectIsUnknown() {
        assertError(http.post("/subjects/" + subject, schemaBody(USER_V1)), 404, 40401);
        assertError(http.get("/subjects/" + subject + "/versions"), 404, 40401);
        assertError(http.get("/subjects/" + subject + "/versions/latest"), 404, 40401);
        assertError(http.delete("/subjects/" + subject), 404, 40401);
    }

    @Test
    void shouldWordNotFoundErrorsAsConfluentDoesWhenClientsCompareThem() {
        String missing = "Subject '" + subject + "' not found.";
        assertThat(http.get("/subjects/" + subject + "/versions").body().path("message").asText()).isEqualTo(missing);
        assertThat(http.get("/subjects/" + subject + "/versions/1").body().path("message").asText())
                .isEqualTo(missing);
        assertThat(http.post("/subjects/" + subject, schemaBody(USER_V1)).body().path("message").asText())
                .isEqualTo(missing);
        assertThat(http.delete("/subjects/" + subject).body().path("message").asText()).isEqualTo(missing);

        http.registerOk(subject, USER_V1);

        assertThat(http.get("/subjects/" + subject + "/versions/7").body().path("message").asText())
                .isEqualTo("Version 7 not found.");
        assertThat(http.post("/subjects/" + subject, schemaBody(USER_V2)).body().path("message").asText())
                .isEqualTo("Schema not found");
        assertThat(http.get("/schemas/ids/" + Integer.MAX_VALUE).body().path("message").asText())
                .isEqualTo("Schema " + Integer.MAX_VALUE + " not found");
    }

    @Test
    void shouldListTheSubjectsOfAnIdWhenAsked() {
        String other = "api-" + UUID.randomUUID() + "-value";
        int id = http.registerOk(subject, USER_V1);
        http.registerOk(other, USER_V1);

        Response r = http.get("/schemas/ids/" + id + "/subjects");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).anyMatch(s -> s.asText().equals(subject)).anyMatch(s -> s.asText().equals(other));
        assertThat(http.get("/schemas/ids/" + Integer.MAX_VALUE + "/subjects").errorCode()).isEqualTo(40403);
    }

    @Test
    void shouldAnswer40402WhenTheVersionIsUnknown() {
        http.registerOk(subject, USER_V1);

        assertError(http.get("/subjects/" + subject + "/versions/7"), 404, 40402);
        assertError(http.delete("/subjects/" + subject + "/versions/7"), 404, 40402);
    }

    @Test
    void shouldAnswer40403WhenTheSchemaIsUnknown() {
        http.registerOk(subject, USER_V1);

        assertError(http.post("/subjects/" + subject, schemaBody(USER_V2)), 404, 40403);
        assertError(http.get("/schemas/ids/" + Integer.MAX_VALUE), 404, 40403);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-2", "abc", "1.5"})
    void shouldAnswer42202WhenTheVersionIsNotAVersion(String version) {
        http.registerOk(subject, USER_V1);

        assertError(http.get("/subjects/" + subject + "/versions/" + version), 422, 42202);
    }

    @Test
    void shouldAnswer42201WhenTheSchemaIsInvalid() {
        assertError(http.register(subject, "{\"type\":\"record\",\"name\":\"NoFields\"}"), 422, 42201);
        assertError(http.register(subject, "not json at all"), 422, 42201);
        assertError(http.register(subject, record("Bad", "{\"name\":\"n\",\"type\":\"int\",\"default\":\"x\"}")),
                422, 42201);
        assertError(http.post("/subjects/" + subject + "/versions", object("schemaType", "AVRO")), 422, 42201);
        // Only a type name that nothing defines: Avro's parser throws a NullPointerException (tester, session 14).
        assertError(http.register(subject, "\"Foo\""), 422, 42201);
        assertError(http.register(subject, record("Holder", "{\"name\":\"f\",\"type\":\"Undefined\"}")), 422,
                42201);
        assertThat(http.get("/subjects/" + subject + "/versions").errorCode()).isEqualTo(40401);
    }

    @Test
    void shouldAnswerTheRegistrysErrorShapeWhenTheBodyIsTooLarge() {
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < 15_000; i++) { // about 1.5 MB
            fields.append(i == 0 ? "" : ",").append("{\"name\":\"field_with_a_long_name_").append(i)
                    .append("\",\"type\":\"string\",\"doc\":\"padding padding padding padding\"}");
        }
        assertError(http.register(subject, record("Huge", fields.toString())), 413, 413);
    }

    @Test
    void shouldRefuseAnUnknownSchemaTypeWith42201() {
        Response r = http.post("/subjects/" + subject + "/versions",
                new ObjectMapper().createObjectNode().put("schema", "<xs:schema/>").put("schemaType", "XML"));

        assertError(r, 422, 42201);
        assertThat(r.body().path("message").asText()).contains("XML").contains("AVRO");
    }

    @Test
    void shouldAnswer400WhenTheBodyIsNotJson() {
        Response r = http.send("POST", "/subjects/" + subject + "/versions", "{oops", VND);

        assertError(r, 400, 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {VND, "application/json", "application/octet-stream", ""})
    void shouldAcceptTheRequestWhateverItsContentType(String contentType) {
        Response r = http.send("POST", "/subjects/" + subject + "/versions", schemaBody(USER_V1).toString(),
                contentType.isEmpty() ? null : contentType);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith(VND);
        assertThat(r.body().path("id").asInt()).isPositive();
    }

    @Test
    void shouldAnswerInTheRegistryContentTypeWhenAnErrorOccurs() {
        Response r = http.get("/subjects/" + subject + "/versions");

        assertThat(r.contentType()).startsWith(VND);
        assertThat(r.body().path("message").asText()).contains(subject);
    }

    @Test
    void shouldDecodeTheSubjectWhenItIsPercentEncodedInThePath() {
        String spaced = "with space " + UUID.randomUUID();
        String encoded = spaced.replace(" ", "%20");
        int id = http.registerOk(encoded, USER_V1);

        assertThat(http.get("/subjects/" + encoded + "/versions/1").body().path("subject").asText())
                .isEqualTo(spaced);
        assertThat(http.get("/schemas/ids/" + id + "/versions").body())
                .anyMatch(v -> v.path("subject").asText().equals(spaced));
    }

    @Test
    void shouldListTheSubjectVersionsOfAnIdWhenAsked() {
        String other = "api-" + UUID.randomUUID() + "-value";
        int id = http.registerOk(subject, USER_V1);
        http.registerOk(other, USER_V1);

        Response r = http.get("/schemas/ids/" + id + "/versions");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).anyMatch(v -> v.path("subject").asText().equals(subject)
                && v.path("version").asInt() == 1);
        assertThat(r.body()).anyMatch(v -> v.path("subject").asText().equals(other));
    }

    @Test
    void shouldAnswerTheBareSchemaWhenTheSchemaSubresourceIsAsked() {
        http.registerOk(subject, USER_V1);

        Response r = http.get("/subjects/" + subject + "/versions/latest/schema");

        assertThat(r.status()).isEqualTo(200);
        assertThat(parse(r.body().toString())).isEqualTo(parse(USER_V1));
    }

    @Test
    void shouldNameTheThreeSchemaTypesWhenTypesAreListed() {
        assertThat(http.get("/schemas/types").body().toString()).isEqualTo("[\"JSON\",\"PROTOBUF\",\"AVRO\"]");
    }

    @Test
    void shouldAnswerAJsonErrorWhenThePathIsUnknown() {
        Response r = http.get("/no/such/path");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo(404);
        assertThat(r.contentType()).startsWith(VND);
    }

    private static void assertError(Response response, int status, int errorCode) {
        assertThat(response.status()).as("HTTP status of %s", response).isEqualTo(status);
        assertThat(response.errorCode()).as("error_code of %s", response).isEqualTo(errorCode);
        assertThat(response.body().path("message").asText()).isNotBlank();
    }

    private static org.apache.avro.Schema parse(String schema) {
        return new org.apache.avro.Schema.Parser().parse(schema);
    }
}

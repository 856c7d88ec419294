package dev.ferry.embedded.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
 * Schema references (issue 12): a schema may use a type registered under another subject by naming it in
 * {@code references}, as Confluent's registry allows; the registry resolves them for registration, lookup and
 * compatibility, serves them back, and refuses to delete what is still referenced (42206).
 */
@FerryKafkaTest
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegistryReferencesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The input: test.A has a field of type test.C, registered elsewhere. */
    private static final String C = "{\"type\":\"record\",\"name\":\"C\",\"namespace\":\"test\",\"fields\":["
            + "{\"name\":\"c\",\"type\":\"string\"}]}";
    private static final String A = "{\"type\":\"record\",\"name\":\"A\",\"namespace\":\"test\",\"fields\":["
            + "{\"name\":\"a\",\"type\":\"test.C\"}]}";
    private static final String A_V2 = "{\"type\":\"record\",\"name\":\"A\",\"namespace\":\"test\",\"fields\":["
            + "{\"name\":\"a\",\"type\":\"test.C\"},{\"name\":\"n\",\"type\":\"int\",\"default\":0}]}";
    private static final String A_BAD = "{\"type\":\"record\",\"name\":\"A\",\"namespace\":\"test\",\"fields\":["
            + "{\"name\":\"a\",\"type\":\"test.C\"},{\"name\":\"m\",\"type\":\"int\"}]}";

    private RegistryHttp http;
    private String cSubject;
    private String aSubject;

    @BeforeEach
    void setUp(KafkaFixture kafka) {
        http = new RegistryHttp(kafka.schemaRegistryUrl());
        String run = UUID.randomUUID().toString();
        cSubject = "c-" + run + "-value";
        aSubject = "a-" + run + "-value";
    }

    @Test
    void shouldRegisterASchemaWhenItsTypeComesFromAReference() {
        http.registerOk(cSubject, C);

        Response r = register(aSubject, A, ref("test.C", cSubject, 1));

        assertThat(r.status()).as("%s", r).isEqualTo(200);
        int id = r.body().path("id").asInt();
        Response byId = http.get("/schemas/ids/" + id);
        assertThat(byId.body().path("references").toString())
                .isEqualTo("[{\"name\":\"test.C\",\"subject\":\"" + cSubject + "\",\"version\":1}]");
        assertThat(byId.body().path("schema").asText()).as("the referenced type is named, not inlined")
                .doesNotContain("\"name\":\"c\"").doesNotContain("\"name\":\"C\"");
        Response version = http.get("/subjects/" + aSubject + "/versions/1");
        assertThat(version.body().path("references").get(0).path("subject").asText()).isEqualTo(cSubject);
        assertThat(version.body().path("id").asInt()).isEqualTo(id);
        assertThat(http.get("/subjects/" + cSubject + "/versions/1").body().has("references"))
                .as("no references, no field").isFalse();
    }

    @Test
    void shouldAnswer42201WhenTheReferencedVersionDoesNotExist() {
        Response r = register(aSubject, A, ref("test.C", cSubject, 1));

        assertThat(r.status()).isEqualTo(422);
        assertThat(r.errorCode()).isEqualTo(42201);
        assertThat(r.body().path("message").asText()).contains("No schema reference found for subject \""
                + cSubject + "\" and version 1");
        assertThat(http.get("/subjects/" + aSubject + "/versions").errorCode()).isEqualTo(40401);
    }

    @Test
    void shouldResolveReferencesOfReferencesWhenTheyChain() {
        String dSubject = "d-" + UUID.randomUUID() + "-value";
        http.registerOk(dSubject, "{\"type\":\"enum\",\"name\":\"D\",\"namespace\":\"test\",\"symbols\":[\"X\"]}");
        String cUsingD = "{\"type\":\"record\",\"name\":\"C\",\"namespace\":\"test\",\"fields\":["
                + "{\"name\":\"d\",\"type\":\"test.D\"}]}";
        assertThat(register(cSubject, cUsingD, ref("test.D", dSubject, 1)).status()).isEqualTo(200);

        Response a = register(aSubject, A, ref("test.C", cSubject, 1));

        assertThat(a.status()).as("%s", a).isEqualTo(200);
        assertThat(http.get("/subjects/" + dSubject + "/versions/1/referencedby").body()).hasSize(1);
    }

    @Test
    void shouldStoreTheLatestVersionWhenAReferenceAsksForVersionMinusOne() {
        http.registerOk(cSubject, C);

        int id = register(aSubject, A, ref("test.C", cSubject, -1)).body().path("id").asInt();

        assertThat(http.get("/schemas/ids/" + id).body().path("references").get(0).path("version").asInt())
                .isEqualTo(1);
    }

    @Test
    void shouldFindTheVersionWhenLookedUpWithTheSameReferences() {
        http.registerOk(cSubject, C);
        int id = register(aSubject, A, ref("test.C", cSubject, 1)).body().path("id").asInt();

        Response found = http.post("/subjects/" + aSubject, body(A, ref("test.C", cSubject, 1)));

        assertThat(found.status()).as("%s", found).isEqualTo(200);
        assertThat(found.body().path("id").asInt()).isEqualTo(id);
        assertThat(found.body().path("version").asInt()).isEqualTo(1);
        assertThat(found.body().path("references")).hasSize(1);
    }

    @Test
    void shouldGiveTheSameIdWhenTheSameSchemaAndReferencesAreRegisteredInAnotherSubject() {
        http.registerOk(cSubject, C);
        int id = register(aSubject, A, ref("test.C", cSubject, 1)).body().path("id").asInt();
        String other = "other-" + UUID.randomUUID() + "-value";

        Response again = register(other, A.replace(",", " , "), ref("test.C", cSubject, 1));

        assertThat(again.body().path("id").asInt()).isEqualTo(id);
        assertThat(register(aSubject, A, ref("test.C", cSubject, 1)).body().path("id").asInt()).isEqualTo(id);
        assertThat(http.get("/subjects/" + aSubject + "/versions").body()).hasSize(1);
    }

    @Test
    void shouldJudgeCompatibilityWithTheReferencedTypesResolved() {
        http.registerOk(cSubject, C);
        register(aSubject, A, ref("test.C", cSubject, 1));

        Response good = http.post("/compatibility/subjects/" + aSubject + "/versions/latest",
                body(A_V2, ref("test.C", cSubject, 1)));
        Response bad = http.post("/compatibility/subjects/" + aSubject + "/versions",
                body(A_BAD, ref("test.C", cSubject, 1)));
        Response refused = register(aSubject, A_BAD, ref("test.C", cSubject, 1));
        Response evolved = register(aSubject, A_V2, ref("test.C", cSubject, 1));

        assertThat(good.body().path("is_compatible").asBoolean()).as("%s", good).isTrue();
        assertThat(bad.body().path("is_compatible").asBoolean()).as("%s", bad).isFalse();
        assertThat(refused.status()).isEqualTo(409);
        assertThat(evolved.status()).as("%s", evolved).isEqualTo(200);
        assertThat(http.get("/subjects/" + aSubject + "/versions").body().toString()).isEqualTo("[1,2]");
    }

    @Test
    void shouldListTheReferencingIdsWhenReferencedByIsAsked() {
        int cId = http.registerOk(cSubject, C);
        int aId = register(aSubject, A, ref("test.C", cSubject, 1)).body().path("id").asInt();

        assertThat(http.get("/subjects/" + cSubject + "/versions/1/referencedby").body().toString())
                .isEqualTo("[" + aId + "]");
        assertThat(http.get("/subjects/" + cSubject + "/versions/latest/referencedby").body().toString())
                .isEqualTo("[" + aId + "]");
        assertThat(http.get("/schemas/ids/" + cId + "/referencedby").body().toString()).contains(
                String.valueOf(aId));
        assertThat(http.get("/subjects/" + aSubject + "/versions/1/referencedby").body().toString())
                .isEqualTo("[]");
        assertThat(http.get("/subjects/" + cSubject + "/versions/9/referencedby").errorCode()).isEqualTo(40402);
        assertThat(http.get("/subjects/nope-" + UUID.randomUUID() + "/versions/1/referencedby").errorCode())
                .isEqualTo(40401);
    }

    @Test
    void shouldRefuseToDeleteAReferencedVersionUntilItsReferrersArePermanentlyDeleted() {
        http.registerOk(cSubject, C);
        register(aSubject, A, ref("test.C", cSubject, 1));
        String expected = "One or more references exist to the schema {magic=1,keytype=SCHEMA,subject="
                + cSubject + ",version=1}.";

        Response version = http.delete("/subjects/" + cSubject + "/versions/1");
        Response subject = http.delete("/subjects/" + cSubject);

        assertThat(version.status()).isEqualTo(422);
        assertThat(version.errorCode()).isEqualTo(42206);
        assertThat(version.body().path("message").asText()).isEqualTo(expected);
        assertThat(subject.errorCode()).isEqualTo(42206);
        assertThat(http.get("/subjects/" + cSubject + "/versions").body().toString()).isEqualTo("[1]");

        assertThat(http.delete("/subjects/" + aSubject).status()).isEqualTo(200);
        assertThat(http.delete("/subjects/" + cSubject + "/versions/1").errorCode())
                .as("a soft-deleted referrer still holds the reference").isEqualTo(42206);

        assertThat(http.delete("/subjects/" + aSubject + "?permanent=true").status()).isEqualTo(200);
        assertThat(http.delete("/subjects/" + cSubject + "/versions/1").status()).isEqualTo(200);
        assertThat(http.delete("/subjects/" + cSubject + "/versions/1?permanent=true").status()).isEqualTo(200);
    }

    @Test
    void shouldAnswer42201WhenAReferenceLacksItsFields() {
        ObjectNode body = JSON.createObjectNode().put("schema", A);
        body.putArray("references").addObject().put("name", "test.C");

        Response r = http.post("/subjects/" + aSubject + "/versions", body);

        assertThat(r.status()).isEqualTo(422);
        assertThat(r.errorCode()).isEqualTo(42201);
    }

    static ObjectNode ref(String name, String subject, int version) {
        return JSON.createObjectNode().put("name", name).put("subject", subject).put("version", version);
    }

    static ObjectNode body(String schema, ObjectNode... references) {
        ObjectNode body = JSON.createObjectNode().put("schema", schema);
        ArrayNode refs = body.putArray("references");
        for (ObjectNode r : references) {
            refs.add(r);
        }
        return body;
    }

    private Response register(String subject, String schema, ObjectNode... references) {
        return http.post("/subjects/" + subject + "/versions", body(schema, references));
    }
}

package dev.ferry.embedded.registry;

import static dev.ferry.embedded.registry.RegistryHttp.object;
import static dev.ferry.embedded.registry.RegistryHttp.record;
import static dev.ferry.embedded.registry.RegistryHttp.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.embedded.registry.RegistryHttp.Response;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Schema evolution under each compatibility level, set per subject on the shared registry. */
@FerryKafkaTest
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegistryCompatibilityIT {

    private static final String A_STRING = "{\"name\":\"a\",\"type\":\"string\"}";
    private static final String A_STRING_DEFAULT = "{\"name\":\"a\",\"type\":\"string\",\"default\":\"x\"}";
    private static final String A_INT_DEFAULT = "{\"name\":\"a\",\"type\":\"int\",\"default\":0}";
    private static final String B_INT = "{\"name\":\"b\",\"type\":\"int\"}";
    private static final String B_INT_DEFAULT = "{\"name\":\"b\",\"type\":\"int\",\"default\":0}";

    private static final String V_A = record("R", A_STRING);
    private static final String V_A_DEFAULT = record("R", A_STRING_DEFAULT);
    private static final String V_A_B = record("R", A_STRING, B_INT);
    private static final String V_A_B_DEFAULT = record("R", A_STRING, B_INT_DEFAULT);
    private static final String V_EMPTY = record("R");
    private static final String V_A_INT = record("R", A_INT_DEFAULT);
    private static final String V_BOTH_DEFAULT = record("R", A_STRING_DEFAULT, B_INT_DEFAULT);

    private RegistryHttp http;
    private String subject;

    @BeforeEach
    void setUp(KafkaFixture kafka) {
        http = new RegistryHttp(kafka.schemaRegistryUrl());
        subject = "compat-" + UUID.randomUUID() + "-value";
    }

    /** level, the versions registered first, the candidate, whether the candidate is accepted. */
    static Stream<Arguments> evolutions() {
        return Stream.of(
                // BACKWARD: the new schema reads old data. A new field needs a default.
                Arguments.of("BACKWARD", List.of(V_A), V_A_B_DEFAULT, true),
                Arguments.of("BACKWARD", List.of(V_A), V_A_B, false),
                // ...checked against the latest only: a reads as int fails against v1 but v2 has no a.
                Arguments.of("BACKWARD", List.of(V_A, V_EMPTY), V_A_INT, true),
                Arguments.of("BACKWARD_TRANSITIVE", List.of(V_A, V_EMPTY), V_A_INT, false),
                Arguments.of("BACKWARD_TRANSITIVE", List.of(V_A, V_A_B_DEFAULT), V_A_B_DEFAULT.replace("R\"",
                        "R\",\"doc\":\"same fields\""), true),
                // FORWARD: old schemas read new data. Adding a field is fine; dropping one without default is not.
                Arguments.of("FORWARD", List.of(V_A), V_A_B, true),
                Arguments.of("FORWARD", List.of(V_A), V_EMPTY, false),
                Arguments.of("FORWARD", List.of(V_A_DEFAULT), V_EMPTY, true),
                Arguments.of("FORWARD", List.of(V_A, V_A_DEFAULT), V_EMPTY, true),
                Arguments.of("FORWARD_TRANSITIVE", List.of(V_A, V_A_DEFAULT), V_EMPTY, false),
                Arguments.of("FORWARD_TRANSITIVE", List.of(V_A_DEFAULT, V_A_B_DEFAULT), V_BOTH_DEFAULT, true),
                // FULL: both ways. Only fields with defaults may come or go.
                Arguments.of("FULL", List.of(V_A), V_A_B_DEFAULT, true),
                Arguments.of("FULL", List.of(V_A), V_A_B, false),
                Arguments.of("FULL", List.of(V_A, V_A_DEFAULT), V_EMPTY, true),
                Arguments.of("FULL_TRANSITIVE", List.of(V_A, V_A_DEFAULT), V_EMPTY, false),
                Arguments.of("FULL_TRANSITIVE", List.of(V_A_B_DEFAULT, V_A_DEFAULT), V_BOTH_DEFAULT, true),
                // NONE: anything goes, even a type change.
                Arguments.of("NONE", List.of(V_A), record("R", "{\"name\":\"a\",\"type\":\"long\"}"), true));
    }

    @ParameterizedTest(name = "{0}: {2} after {1} accepted={3}")
    @MethodSource("evolutions")
    void shouldDecideRegistrationByTheSubjectLevelWhenASchemaEvolves(String level, List<String> earlier,
            String candidate, boolean accepted) {
        assertThat(http.put("/config/" + subject, object("compatibility", level)).status()).isEqualTo(200);
        earlier.forEach(schema -> http.registerOk(subject, schema));

        Response r = http.register(subject, candidate);

        if (accepted) {
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(http.get("/subjects/" + subject + "/versions").body()).hasSize(earlier.size() + 1);
        } else {
            assertThat(r.status()).as("%s", r).isEqualTo(409);
            assertThat(r.errorCode()).isEqualTo(409);
            assertThat(http.get("/subjects/" + subject + "/versions").body()).hasSize(earlier.size());
        }
    }

    @Test
    void shouldCheckOnlyAgainstTheLatestVersionWhenTheLevelIsNotTransitive() {
        // FORWARD: v1 (a without default) cannot read data without a; v2 can. Only v2 counts.
        http.put("/config/" + subject, object("compatibility", "FORWARD"));
        http.registerOk(subject, V_A);
        http.registerOk(subject, V_A_DEFAULT);

        assertThat(http.register(subject, V_EMPTY).status()).isEqualTo(200);
    }

    @Test
    void shouldRefuseAChangeThatBreaksAnOlderVersionWhenTheLevelIsTransitive() {
        http.put("/config/" + subject, object("compatibility", "FULL_TRANSITIVE"));
        http.registerOk(subject, V_A);
        http.registerOk(subject, V_A_DEFAULT);

        Response r = http.register(subject, V_EMPTY);

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.body().path("message").asText()).contains("FULL_TRANSITIVE");
    }

    @Test
    void shouldUseBackwardWhenNeitherSubjectNorGlobalLevelIsSet() {
        http.registerOk(subject, V_A);

        assertThat(http.register(subject, V_A_B).status()).as("new field without default").isEqualTo(409);
        assertThat(http.register(subject, V_A_B_DEFAULT).status()).isEqualTo(200);
    }

    @Test
    void shouldAnswerTheSubjectLevelWhenConfiguredAnd40408Otherwise() {
        assertThat(http.get("/config/" + subject).errorCode()).isEqualTo(40408);
        assertThat(http.get("/config/" + subject).status()).isEqualTo(404);
        Response global = http.get("/config/" + subject + "?defaultToGlobal=true");
        assertThat(global.body().path("compatibilityLevel").asText()).isEqualTo(
                http.get("/config").body().path("compatibilityLevel").asText());

        Response put = http.put("/config/" + subject, object("compatibility", "full"));

        assertThat(put.status()).isEqualTo(200);
        assertThat(put.body().path("compatibility").asText()).isEqualTo("FULL");
        assertThat(http.get("/config/" + subject).body().path("compatibilityLevel").asText()).isEqualTo("FULL");
    }

    @Test
    void shouldFallBackToTheGlobalLevelWhenTheSubjectLevelIsDeleted() {
        http.put("/config/" + subject, object("compatibility", "NONE"));

        Response deleted = http.delete("/config/" + subject);

        assertThat(deleted.body().path("compatibilityLevel").asText()).isEqualTo("NONE");
        assertThat(http.get("/config/" + subject).errorCode()).isEqualTo(40408);
    }

    @Test
    void shouldAnswer42203WhenTheLevelIsUnknown() {
        Response r = http.put("/config/" + subject, object("compatibility", "SIDEWAYS"));

        assertThat(r.status()).isEqualTo(422);
        assertThat(r.errorCode()).isEqualTo(42203);
        assertThat(http.put("/config", object("compatibility", "SIDEWAYS")).errorCode()).isEqualTo(42203);
        assertThat(http.put("/config/" + subject, object("other", "x")).errorCode()).isEqualTo(42203);
    }

    @Test
    void shouldTellWhetherASchemaIsCompatibleWithAVersionWithoutRegisteringIt() {
        http.registerOk(subject, V_A);
        http.registerOk(subject, V_A_B_DEFAULT);

        Response good = http.post("/compatibility/subjects/" + subject + "/versions/latest",
                schemaBody(record("R", A_STRING, B_INT_DEFAULT, "{\"name\":\"c\",\"type\":\"int\",\"default\":1}")));
        Response bad = http.post("/compatibility/subjects/" + subject + "/versions/1", schemaBody(V_A_B));
        Response verbose = http.post("/compatibility/subjects/" + subject + "/versions/1?verbose=true",
                schemaBody(V_A_B));

        assertThat(good.status()).isEqualTo(200);
        assertThat(good.body().path("is_compatible").asBoolean()).isTrue();
        assertThat(bad.status()).isEqualTo(200);
        assertThat(bad.body().path("is_compatible").asBoolean()).isFalse();
        assertThat(verbose.body().path("messages").toString()).contains("b");
        assertThat(http.get("/subjects/" + subject + "/versions").body()).hasSize(2);
    }

    @Test
    void shouldBeCompatibleWhenTheSubjectDoesNotExistYet() {
        Response latest = http.post("/compatibility/subjects/" + subject + "/versions/latest", schemaBody(V_A));
        Response all = http.post("/compatibility/subjects/" + subject + "/versions", schemaBody(V_A));

        assertThat(latest.status()).as("%s", latest).isEqualTo(200);
        assertThat(latest.body().toString()).isEqualTo("{\"is_compatible\":true}");
        assertThat(all.body().toString()).isEqualTo("{\"is_compatible\":true}");
        assertThat(http.get("/subjects/" + subject + "/versions").errorCode()).as("nothing registered")
                .isEqualTo(40401);
    }

    @Test
    void shouldAnswer40402WhenCheckingCompatibilityAgainstAMissingVersion() {
        Response missingSubject = http.post("/compatibility/subjects/" + subject + "/versions/3", schemaBody(V_A));
        http.registerOk(subject, V_A);
        Response missingVersion = http.post("/compatibility/subjects/" + subject + "/versions/9", schemaBody(V_A));

        assertThat(missingSubject.errorCode()).isEqualTo(40402);
        assertThat(missingSubject.body().path("message").asText()).isEqualTo("Version 3 not found.");
        assertThat(missingVersion.errorCode()).isEqualTo(40402);
        assertThat(missingVersion.body().path("message").asText()).isEqualTo("Version 9 not found.");
        assertThat(http.post("/compatibility/subjects/" + subject + "/versions/x", schemaBody(V_A))
                .errorCode()).isEqualTo(42202);
    }
}

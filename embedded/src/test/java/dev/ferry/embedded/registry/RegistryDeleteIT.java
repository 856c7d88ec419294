package dev.ferry.embedded.registry;

import static dev.ferry.embedded.registry.RegistryHttp.record;
import static dev.ferry.embedded.registry.RegistryHttp.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.embedded.registry.RegistryHttp.Response;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Soft and permanent deletes of subjects and versions, with Confluent's error codes for the wrong order. */
@FerryKafkaTest
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegistryDeleteIT {

    private static final String V1 = record("Order", "{\"name\":\"id\",\"type\":\"string\"}");
    private static final String V2 = record("Order", "{\"name\":\"id\",\"type\":\"string\"}",
            "{\"name\":\"total\",\"type\":\"long\",\"default\":0}");

    private RegistryHttp http;
    private String subject;

    @BeforeEach
    void setUp(KafkaFixture kafka) {
        http = new RegistryHttp(kafka.schemaRegistryUrl());
        subject = "delete-" + UUID.randomUUID() + "-value";
    }

    @Test
    void shouldHideAVersionButKeepItsIdWhenTheVersionIsSoftDeleted() {
        int id1 = http.registerOk(subject, V1);
        http.registerOk(subject, V2);

        Response deleted = http.delete("/subjects/" + subject + "/versions/1");

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body().asInt()).isEqualTo(1);
        assertThat(http.get("/subjects/" + subject + "/versions").body().toString()).isEqualTo("[2]");
        assertThat(http.get("/subjects/" + subject + "/versions?deleted=true").body().toString()).isEqualTo("[1,2]");
        assertThat(http.get("/subjects/" + subject + "/versions/1").errorCode()).isEqualTo(40402);
        assertThat(http.get("/subjects/" + subject + "/versions/1?deleted=true").body().path("id").asInt())
                .isEqualTo(id1);
        assertThat(http.get("/schemas/ids/" + id1).status()).as("ids stay resolvable for old data").isEqualTo(200);
    }

    @Test
    void shouldHideTheSubjectAndListItsVersionsWhenTheSubjectIsSoftDeleted() {
        int id = http.registerOk(subject, V1);
        http.registerOk(subject, V2);

        Response deleted = http.delete("/subjects/" + subject);

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body().toString()).isEqualTo("[1,2]");
        assertThat(http.get("/subjects").body()).noneMatch(s -> s.asText().equals(subject));
        assertThat(http.get("/subjects?deleted=true").body()).anyMatch(s -> s.asText().equals(subject));
        assertThat(http.get("/subjects/" + subject + "/versions").errorCode()).isEqualTo(40401);
        assertThat(http.get("/schemas/ids/" + id).status()).isEqualTo(200);
    }

    @Test
    void shouldAnswer40407WhenAVersionIsPermanentlyDeletedBeforeASoftDelete() {
        http.registerOk(subject, V1);

        Response r = http.delete("/subjects/" + subject + "/versions/1?permanent=true");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo(40407);
        assertThat(http.get("/subjects/" + subject + "/versions/1").status()).isEqualTo(200);
    }

    @Test
    void shouldAnswer40405WhenASubjectIsPermanentlyDeletedBeforeASoftDelete() {
        http.registerOk(subject, V1);

        Response r = http.delete("/subjects/" + subject + "?permanent=true");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo(40405);
        assertThat(http.get("/subjects/" + subject + "/versions").body().toString()).isEqualTo("[1]");
    }

    @Test
    void shouldAnswer40406And40404WhenSoftDeletingTwice() {
        http.registerOk(subject, V1);
        http.registerOk(subject, V2);
        http.delete("/subjects/" + subject + "/versions/1");

        assertThat(http.delete("/subjects/" + subject + "/versions/1").errorCode()).isEqualTo(40406);
        http.delete("/subjects/" + subject);
        assertThat(http.delete("/subjects/" + subject).errorCode()).isEqualTo(40404);
    }

    @Test
    void shouldEraseAVersionWhenItIsPermanentlyDeletedAfterASoftDelete() {
        http.registerOk(subject, V1);
        http.registerOk(subject, V2);
        http.delete("/subjects/" + subject + "/versions/1");

        Response r = http.delete("/subjects/" + subject + "/versions/1?permanent=true");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().asInt()).isEqualTo(1);
        assertThat(http.get("/subjects/" + subject + "/versions?deleted=true").body().toString()).isEqualTo("[2]");
    }

    @Test
    void shouldEraseTheSubjectWhenItIsPermanentlyDeletedAfterASoftDelete() {
        http.registerOk(subject, V1);
        http.put("/config/" + subject, RegistryHttp.object("compatibility", "NONE"));
        http.delete("/subjects/" + subject);

        Response r = http.delete("/subjects/" + subject + "?permanent=true");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().toString()).isEqualTo("[1]");
        assertThat(http.get("/subjects?deleted=true").body()).noneMatch(s -> s.asText().equals(subject));
        assertThat(http.get("/subjects/" + subject + "/versions?deleted=true").errorCode()).isEqualTo(40401);
        assertThat(http.get("/config/" + subject).errorCode()).as("subject config goes too").isEqualTo(40408);
    }

    @Test
    void shouldStartANewVersionWhenASchemaIsRegisteredAgainAfterASoftDelete() {
        int id = http.registerOk(subject, V1);
        http.delete("/subjects/" + subject);

        int again = http.registerOk(subject, V1);

        assertThat(again).as("the same schema keeps its global id").isEqualTo(id);
        Response latest = http.get("/subjects/" + subject + "/versions/latest");
        assertThat(latest.body().path("version").asInt()).isEqualTo(2);
        assertThat(http.post("/subjects/" + subject, schemaBody(V1)).body().path("version").asInt()).isEqualTo(2);
    }
}

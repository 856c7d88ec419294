package dev.ferry.embedded.registry;

import static dev.ferry.embedded.registry.RegistryHttp.object;
import static dev.ferry.embedded.registry.RegistryHttp.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.embedded.EmbeddedSchemaRegistry;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * State kept in the store topic: a registry started later on the same topic answers as the first one did. Each
 * test runs registries of its own on a topic of its own, so it may change the global level.
 */
@FerryKafkaTest
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RegistryRestartIT {

    private static final String V1 = record("Event", "{\"name\":\"id\",\"type\":\"string\"}");
    private static final String V2 = record("Event", "{\"name\":\"id\",\"type\":\"string\"}",
            "{\"name\":\"at\",\"type\":\"long\",\"default\":0}");
    private static final String OTHER = record("Other", "{\"name\":\"x\",\"type\":\"int\"}");

    @Test
    void shouldKeepIdsVersionsConfigsAndDeletesWhenTheRegistryRestarts(KafkaFixture kafka) {
        String topic = "_schemas-" + UUID.randomUUID();
        int id1;
        int id2;
        int otherId;
        try (EmbeddedSchemaRegistry first = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0, topic)) {
            RegistryHttp http = new RegistryHttp(first.url());
            id1 = http.registerOk("events-value", V1);
            id2 = http.registerOk("events-value", V2);
            otherId = http.registerOk("other-value", OTHER);
            http.registerOk("copy-value", V1);
            http.put("/config", object("compatibility", "FULL"));
            http.put("/config/events-value", object("compatibility", "NONE"));
            http.delete("/subjects/copy-value");
        }

        try (EmbeddedSchemaRegistry second = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0, topic)) {
            RegistryHttp http = new RegistryHttp(second.url());
            assertThat(http.get("/subjects").body().toString()).isEqualTo("[\"events-value\",\"other-value\"]");
            assertThat(http.get("/subjects?deleted=true").body()).hasSize(3);
            assertThat(http.get("/subjects/events-value/versions").body().toString()).isEqualTo("[1,2]");
            assertThat(http.get("/subjects/events-value/versions/1").body().path("id").asInt()).isEqualTo(id1);
            assertThat(http.get("/subjects/events-value/versions/2").body().path("id").asInt()).isEqualTo(id2);
            assertThat(http.get("/schemas/ids/" + otherId).status()).isEqualTo(200);
            assertThat(http.get("/config").body().path("compatibilityLevel").asText()).isEqualTo("FULL");
            assertThat(http.get("/config/events-value").body().path("compatibilityLevel").asText())
                    .isEqualTo("NONE");
            assertThat(http.registerOk("events-value", V2)).as("re-registering keeps the id").isEqualTo(id2);
            int next = http.registerOk("new-value", record("New", "{\"name\":\"n\",\"type\":\"int\"}"));
            assertThat(next).isGreaterThan(Math.max(id1, Math.max(id2, otherId)));
        }
    }

    @Test
    void shouldKeepReferencesAndTheirDeletionRuleWhenTheRegistryRestarts(KafkaFixture kafka) {
        String topic = "_schemas-" + UUID.randomUUID();
        String c = "{\"type\":\"record\",\"name\":\"C\",\"namespace\":\"test\",\"fields\":["
                + "{\"name\":\"c\",\"type\":\"string\"}]}";
        String a = "{\"type\":\"record\",\"name\":\"A\",\"namespace\":\"test\",\"fields\":["
                + "{\"name\":\"a\",\"type\":\"test.C\"}]}";
        int aId;
        try (EmbeddedSchemaRegistry first = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0, topic)) {
            RegistryHttp http = new RegistryHttp(first.url());
            http.registerOk("c-value", c);
            RegistryHttp.Response r = http.post("/subjects/a-value/versions",
                    RegistryReferencesIT.body(a, RegistryReferencesIT.ref("test.C", "c-value", 1)));
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            aId = r.body().path("id").asInt();
        }

        try (EmbeddedSchemaRegistry second = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0, topic)) {
            RegistryHttp http = new RegistryHttp(second.url());
            assertThat(http.get("/schemas/ids/" + aId).body().path("references").toString())
                    .isEqualTo("[{\"name\":\"test.C\",\"subject\":\"c-value\",\"version\":1}]");
            assertThat(http.get("/subjects/c-value/versions/1/referencedby").body().toString())
                    .isEqualTo("[" + aId + "]");
            assertThat(http.delete("/subjects/c-value/versions/1").errorCode()).isEqualTo(42206);
            assertThat(http.post("/subjects/a-value/versions", RegistryReferencesIT.body(a,
                    RegistryReferencesIT.ref("test.C", "c-value", 1))).body().path("id").asInt()).isEqualTo(aId);
        }
    }

    @Test
    void shouldNotReuseAnIdWhenItsOnlyVersionWasPermanentlyDeletedBeforeARestart(KafkaFixture kafka) {
        String topic = "_schemas-" + UUID.randomUUID();
        int gone;
        try (EmbeddedSchemaRegistry first = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0, topic)) {
            RegistryHttp http = new RegistryHttp(first.url());
            http.registerOk("keep-value", V1);
            gone = http.registerOk("gone-value", OTHER);
            http.delete("/subjects/gone-value");
            http.delete("/subjects/gone-value?permanent=true");
            assertThat(http.get("/schemas/ids/" + gone).errorCode()).isEqualTo(40403);
        }

        try (EmbeddedSchemaRegistry second = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0, topic)) {
            RegistryHttp http = new RegistryHttp(second.url());
            assertThat(http.get("/schemas/ids/" + gone).errorCode()).isEqualTo(40403);
            int fresh = http.registerOk("fresh-value", record("Fresh", "{\"name\":\"f\",\"type\":\"int\"}"));
            assertThat(fresh).isGreaterThan(gone);
        }
    }

    @Test
    void shouldApplyTheGlobalLevelToSubjectsWithoutTheirOwn(KafkaFixture kafka) {
        String topic = "_schemas-" + UUID.randomUUID();
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0, topic)) {
            RegistryHttp http = new RegistryHttp(registry.url());
            assertThat(http.get("/config").body().path("compatibilityLevel").asText()).isEqualTo("BACKWARD");
            http.registerOk("s-value", V1);

            RegistryHttp.Response put = http.put("/config", object("compatibility", "NONE"));

            assertThat(put.status()).isEqualTo(200);
            assertThat(put.body().path("compatibility").asText()).isEqualTo("NONE");
            assertThat(http.get("/config").body().path("compatibilityLevel").asText()).isEqualTo("NONE");
            assertThat(http.register("s-value", OTHER.replace("Other", "Event")).status()).isEqualTo(200);
        }
    }

    @Test
    void shouldStoreStateInACompactedSinglePartitionTopic(KafkaFixture kafka) throws Exception {
        String topic = "_schemas-" + UUID.randomUUID();
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0, topic)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Map<ConfigResource, org.apache.kafka.clients.admin.Config> configs =
                    kafka.admin().describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS);
            ConfigEntry policy = configs.get(resource).get("cleanup.policy");
            TopicDescription description = kafka.admin().describeTopics(List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic);

            assertThat(policy.value()).isEqualTo("compact");
            assertThat(description.partitions()).hasSize(1);
            assertThat(registry.url()).startsWith("http://localhost:");
        }
    }
}

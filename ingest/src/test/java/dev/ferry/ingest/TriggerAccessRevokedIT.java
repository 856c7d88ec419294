package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static dev.ferry.ingest.TriggerApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant's topics taken away while its trigger runs (tester, session 21), over real HTTP against the real broker:
 * the gateway pauses the trigger ({@code RevokedTopics}) and refuses its resume. Split from {@link TriggersApiIT};
 * on a {@link TriggerApiFixture} of its own, whose tenants file the test adds its own tenant to, so it changes no
 * tenant another test uses.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TriggerAccessRevokedIT {

    @TempDir
    static Path dir;

    private static TriggerApiFixture fixture;
    private static Admin admin;
    private static HttpApi api;
    private static String run;

    @BeforeAll
    static void start(KafkaFixture kafka) {
        fixture = TriggerApiFixture.start(kafka, dir);
        admin = fixture.admin;
        api = fixture.api;
        run = fixture.run;
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /**
     * A tester (session 21) took a tenant's topics away with {@code ferry tenants topics --none} while its trigger
     * ran: the trigger went on reading the topic and running the function, and the tenant could neither pause nor
     * resume it (403 naming the topic), only delete it. Now the gateway pauses it; the tenant's own pause passes, as
     * it reaches nothing the trigger did not; a resume, which would read the topic again, is refused.
     */
    @Test
    void shouldPauseATriggerWhoseTopicsTheTenantLostAndRefuseItsResume() throws Exception {
        TenantAdmin tenants = new TenantAdmin(dir.resolve("tenants.json"));
        String key = tenants.createTenant("lapsed");
        tenants.setTopics("lapsed", List.of("lapsed.*"));
        String source = "lapsed.events-" + run;
        admin.createTopics(List.of(new NewTopic(source, 1, (short) 1)))
                .all().get(30, TimeUnit.SECONDS);
        // A new key works once the gateway has re-read the tenants file (within a second).
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            HttpResponse<byte[]> deployed = api.put("/v1/functions/echo", key,
                    "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
            assertThat(deployed.statusCode()).as(text(deployed)).isIn(200, 201);
        });
        HttpResponse<byte[]> created = api.put("/v1/triggers/follow", key, body("echo", source, ""));
        assertThat(created.statusCode()).as(text(created)).isEqualTo(201);

        tenants.setTopics("lapsed", List.of());
        // The gateway looks at the tenants file every second: until it has, a resume still passes (the trigger
        // runs anyway), and its next look pauses the trigger.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            HttpResponse<byte[]> resumed = api.put("/v1/triggers/follow", key, body("echo", source, ""));
            assertThat(resumed.statusCode()).as(text(resumed)).isEqualTo(403);
            JsonNode described = json(api.get("/v1/triggers/follow", key));
            assertThat(described.get("enabled").asBoolean()).as(described.toString()).isFalse();
            assertThat(described.get("state").asText()).isEqualTo("PAUSED");
        });

        HttpResponse<byte[]> paused = api.put("/v1/triggers/follow", key,
                body("echo", source, ", \"enabled\": false"));
        assertThat(paused.statusCode()).as(text(paused)).isEqualTo(200);
        assertThat(json(paused).get("state").asText()).isEqualTo("PAUSED");

        HttpResponse<byte[]> resumed = api.put("/v1/triggers/follow", key, body("echo", source, ""));
        assertThat(resumed.statusCode()).as(text(resumed)).isEqualTo(403);
        assertThat(json(resumed).get("error").asText()).contains("may not use topic '" + source + "'");
        assertThat(json(api.get("/v1/triggers/follow", key)).get("enabled").asBoolean()).isFalse();
        assertThat(api.delete("/v1/triggers/follow", key).statusCode()).isEqualTo(204);
    }
}

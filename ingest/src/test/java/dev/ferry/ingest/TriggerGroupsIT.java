package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trigger's consumer group is its alone (tester 11A, finding 2): two tenants that share topics ({@code shared.*})
 * may each name a group in that namespace, and before, beta's trigger joined alpha's group and took most of alpha's
 * records without alpha's trigger showing anything wrong. Real broker, real gateway.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TriggerGroupsIT {

    @TempDir
    static Path dir;

    private static TopicCatalog catalog;
    private static Gateway gateway;
    private static HttpApi api;
    private static String alpha;
    private static String beta;
    private static String shared;
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start(KafkaFixture kafka) {
        TenantAdmin tenants = new TenantAdmin(dir.resolve("tenants.json"));
        alpha = tenants.createTenant("alpha");
        tenants.setTopics("alpha", List.of("alpha.*", "shared.*"));
        beta = tenants.createTenant("beta");
        tenants.setTopics("beta", List.of("beta.*", "shared.*"));
        FerryConfig config = Platform.config(kafka, dir.resolve("tenants.json"));
        catalog = new TopicCatalog(config);
        gateway = new Gateway(config).start();
        api = new HttpApi(gateway.port());
        for (String key : List.of(alpha, beta)) {
            HttpResponse<byte[]> deployed = api.put("/v1/functions/echo", key,
                    "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
            assertThat(deployed.statusCode()).as(text(deployed)).isIn(200, 201);
        }
        shared = "shared.orders-" + RUN;
        kafka.createTopic(shared, 2);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static String body(String group, String extra) {
        return "{\"function\": \"echo\", \"topics\": [\"" + shared + "\"], \"format\": \"json\""
                + (group == null ? "" : ", \"group\": \"" + group + "\"") + extra + "}";
    }

    @Test
    void shouldRefuseAGroupAnotherTriggerUsesWithoutNamingAnotherTenantsTrigger() {
        String group = "shared.first-" + RUN;
        HttpResponse<byte[]> created = api.put("/v1/triggers/atrig", alpha, body(group, ""));
        assertThat(created.statusCode()).as(text(created)).isEqualTo(201);

        HttpResponse<byte[]> joined = api.put("/v1/triggers/b4", beta, body(group, ""));
        assertThat(joined.statusCode()).as(text(joined)).isEqualTo(409);
        JsonNode error = json(joined);
        assertThat(error.get("code").asText()).isEqualTo("conflict");
        assertThat(error.get("error").asText()).contains("group '" + group + "'").contains("another trigger")
                .doesNotContain("alpha").doesNotContain("atrig");
        assertThat(api.get("/v1/triggers/b4", beta).statusCode()).as("nothing stored").isEqualTo(404);

        // The same tenant's other trigger would split the same records: refused too, naming its own trigger.
        HttpResponse<byte[]> own = api.put("/v1/triggers/atrig2", alpha, body(group, ""));
        assertThat(own.statusCode()).as(text(own)).isEqualTo(409);
        assertThat(json(own).get("error").asText()).contains("your trigger 'atrig'");

        // Moving an existing trigger into the group is taking it as well.
        HttpResponse<byte[]> other = api.put("/v1/triggers/b5", beta, body("shared.second-" + RUN, ""));
        assertThat(other.statusCode()).as(text(other)).isEqualTo(201);
        HttpResponse<byte[]> moved = api.put("/v1/triggers/b5", beta, body(group, ""));
        assertThat(moved.statusCode()).as(text(moved)).isEqualTo(409);
        assertThat(json(moved).get("error").asText()).doesNotContain("alpha").doesNotContain("atrig");

        // The trigger that has the group keeps it through updates and a pause.
        HttpResponse<byte[]> updated = api.put("/v1/triggers/atrig", alpha, body(group, ", \"batchSize\": 5"));
        assertThat(updated.statusCode()).as(text(updated)).isEqualTo(200);
        HttpResponse<byte[]> paused = api.put("/v1/triggers/atrig", alpha, body(group, ", \"enabled\": false"));
        assertThat(paused.statusCode()).as(text(paused)).isEqualTo(200);
        assertThat(json(paused).get("group").asText()).isEqualTo(group);
        HttpResponse<byte[]> pausedJoin = api.put("/v1/triggers/b6", beta, body(group, ""));
        assertThat(pausedJoin.statusCode()).as("a paused trigger's group holds its offsets: still taken")
                .isEqualTo(409);
    }

    @Test
    void shouldRefuseFerrysOwnGroupsIncludingAnotherTenantsDefaultTriggerGroup() {
        HttpResponse<byte[]> created = api.put("/v1/triggers/x", alpha, body(null, ""));
        assertThat(created.statusCode()).as(text(created)).isEqualTo(201);
        String alphasDefault = catalog.triggerGroup(new TriggerRef("alpha", "x"));
        assertThat(json(created).get("group").asText()).isEqualTo(alphasDefault);

        for (String group : List.of(alphasDefault, catalog.triggerGroup(new TriggerRef("beta", "other")),
                catalog.dispatcherGroup(), catalog.workerGroup(new FunctionRef("alpha", "echo")),
                catalog.meteringApplicationId(), catalog.autoscalerGroup(), catalog.retryForwarderGroup())) {
            HttpResponse<byte[]> refused = api.put("/v1/triggers/y", beta, body(group, ""));
            assertThat(refused.statusCode()).as(group + ": " + text(refused)).isEqualTo(400);
            assertThat(json(refused).get("error").asText()).as(group)
                    .contains("must not start with '" + catalog.groupNamePrefix() + "'");
        }
        // Its own default group, named out loud, is its own.
        HttpResponse<byte[]> own = api.put("/v1/triggers/y", beta,
                body(catalog.triggerGroup(new TriggerRef("beta", "y")), ""));
        assertThat(own.statusCode()).as(text(own)).isEqualTo(201);
    }

    @Test
    void shouldGiveAGroupToOneOfManyParallelWritesThroughOneGateway() throws Exception {
        String group = "shared.race-" + RUN;
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String key = i % 2 == 0 ? alpha : beta;
                String name = "race-" + i;
                answers.add(pool.submit(() -> api.put("/v1/triggers/" + name, key, body(group, ""))));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<HttpResponse<byte[]>> answer : answers) {
                HttpResponse<byte[]> response = answer.get(60, TimeUnit.SECONDS);
                assertThat(response.statusCode()).as(text(response)).isIn(201, 409);
                statuses.add(response.statusCode());
            }
            assertThat(statuses).as("one trigger in the group, the others refused").containsOnlyOnce(201);
        } finally {
            pool.shutdownNow();
        }
    }
}

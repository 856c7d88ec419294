package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static dev.ferry.ingest.TriggerApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.TriggerConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerPublisher;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.schemas.TriggerState;
import dev.ferry.schemas.TriggerStatus;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/triggers} over real HTTP against the real broker (issue 14, parts 1 and 4): what a user sees when
 * creating, reading, pausing and deleting triggers, the access rule with its 403s, the 400s that name a missing
 * topic, and the status summed from what replicas report on {@code ferry.trigger-status}. The tenants, the gateway
 * and the source topics are {@link TriggerApiFixture}'s; the replica budget's cases are {@link TriggerReplicaBudgetIT},
 * a tenant's topics taken away while its trigger runs {@link TriggerAccessRevokedIT}.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TriggersApiIT {

    private static TriggerApiFixture fixture;
    private static FerryConfig config;
    private static TopicCatalog catalog;
    private static Gateway strict;
    private static HttpApi api;
    private static HttpApi strictApi;
    private static Admin admin;
    private static String acme;
    private static String beta;
    private static String everything;
    private static String nothing;
    private static String orders;
    private static String run;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start(KafkaFixture kafka) {
        fixture = TriggerApiFixture.start(kafka, dir);
        config = fixture.config;
        catalog = fixture.catalog;
        admin = fixture.admin;
        api = fixture.api;
        acme = fixture.acme;
        beta = fixture.beta;
        everything = fixture.everything;
        nothing = fixture.nothing;
        orders = fixture.orders;
        run = fixture.run;
        // A second gateway only for its trigger setting: it may not create topics.
        strict = new Gateway(config.with(TriggerConfig.TOPICS_CREATE, false)).start();
        strictApi = new HttpApi(strict.port());
    }

    @AfterAll
    static void stop() {
        if (strict != null) {
            strict.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private static int partitions(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                .partitions().size();
    }

    private static boolean exists(String topic) throws Exception {
        return admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic);
    }

    @Test
    void shouldCreateDescribeListPauseAndDeleteATriggerWhenItsTopicsAreTheTenantsOwn() throws Exception {
        String destination = "acme.orders-enriched-" + run;
        HttpResponse<byte[]> created = api.put("/v1/triggers/enrich", acme,
                body("echo", orders, ", \"destination\": \"" + destination + "\", \"format\": \"json\""));

        assertThat(created.statusCode()).as(text(created)).isEqualTo(201);
        JsonNode trigger = json(created);
        assertThat(trigger.get("name").asText()).isEqualTo("enrich");
        assertThat(trigger.get("tenant").asText()).isEqualTo("acme");
        assertThat(trigger.get("format").asText()).isEqualTo("JSON");
        assertThat(trigger.get("ordering").asText()).isEqualTo("PARTITION");
        assertThat(trigger.get("state").asText()).isEqualTo("RUNNING");
        assertThat(trigger.get("lag").asText()).as("no replica reported yet: from the broker, and a trigger that "
                + "starts at the end has nothing to do").isEqualTo("0");
        assertThat(trigger.get("read").asLong()).isZero();
        assertThat(trigger.get("rates").isNull()).isTrue();
        assertThat(partitions(destination)).as("created with the source's partition count").isEqualTo(3);

        // read-your-writes: the PUT answered after this gateway's directory had the trigger
        JsonNode described = json(api.get("/v1/triggers/enrich", acme));
        assertThat(described.get("destination").asText()).isEqualTo(destination);
        assertThat(described.get("group").asText()).as("the group in use, not a template")
                .isEqualTo(catalog.triggerGroup(new dev.ferry.core.triggers.TriggerRef("acme", "enrich")));
        assertThat(described.get("topics").get(0).asText()).isEqualTo(orders);
        assertThat(json(api.get("/v1/triggers", acme)).get("triggers")).extracting(t -> t.get("name").asText())
                .containsExactly("enrich");

        // another tenant sees none of it
        assertThat(json(api.get("/v1/triggers", beta)).get("triggers")).isEmpty();
        assertThat(api.get("/v1/triggers/enrich", beta).statusCode()).isEqualTo(404);
        assertThat(api.delete("/v1/triggers/enrich", beta).statusCode()).isEqualTo(404);

        HttpResponse<byte[]> paused = api.put("/v1/triggers/enrich", acme,
                body("echo", orders, ", \"destination\": \"" + destination + "\", \"enabled\": false"));
        assertThat(paused.statusCode()).as(text(paused)).isEqualTo(200);
        assertThat(json(paused).get("state").asText()).isEqualTo("PAUSED");
        assertThat(json(api.get("/v1/triggers/enrich", acme)).get("enabled").asBoolean()).isFalse();

        assertThat(api.delete("/v1/triggers/enrich", acme).statusCode()).isEqualTo(204);
        assertThat(api.get("/v1/triggers/enrich", acme).statusCode()).isEqualTo(404);
        assertThat(json(api.get("/v1/triggers", acme)).get("triggers")).isEmpty();
        assertThat(api.delete("/v1/triggers/enrich", acme).statusCode()).isEqualTo(404);
    }

    /**
     * Kafka refuses a topic whose name differs from an existing one's only by '.' against '_'. A destination named
     * like Ferry's results topic that way answered 503 with the broker's message (a tester, session 10), and one made
     * first would have blocked the platform's own topic: it is Ferry's name (403, like the topic itself), and one
     * colliding with any other topic is the caller's to rename (400), both before anything is created.
     */
    @Test
    void shouldRefuseATopicToCreateWhoseNameCollidesWithAnotherByKafkasDotUnderscoreRule(KafkaFixture kafka)
            throws Exception {
        String results = catalog.results().replace('.', '_');
        HttpResponse<byte[]> ferrys = api.put("/v1/triggers/collide", everything,
                body("echo", "shared-" + run, ", \"destination\": \"" + results + "\""));
        assertThat(ferrys.statusCode()).as(text(ferrys)).isEqualTo(403);
        assertThat(json(ferrys).get("error").asText()).contains("'" + results + "'").contains(catalog.results())
                .contains("'.' and '_'");
        HttpResponse<byte[]> schemas = api.put("/v1/triggers/collide", everything,
                body("echo", "shared-" + run, ", \"onFailure\": \".schemas\""));
        assertThat(schemas.statusCode()).as(text(schemas)).isEqualTo(403);

        String taken = "beta.coll.out-" + run;
        kafka.createTopic(taken, 1);
        String twin = "beta.coll_out-" + run;
        HttpResponse<byte[]> users = api.put("/v1/triggers/collide", beta,
                body("echo", "beta.orders-" + run, ", \"destination\": \"" + twin + "\""));
        assertThat(users.statusCode()).as(text(users)).isEqualTo(400);
        assertThat(json(users).get("error").asText()).contains("'" + twin + "'").contains("'" + taken + "'")
                .contains("'.' and '_'");
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(twin, results);
        assertThat(api.get("/v1/triggers/collide", beta).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldReportFailingNamingTheSourceWhenItIsDeletedAndNoReplicaRuns(KafkaFixture kafka) throws Exception {
        String gone = "acme.gone-" + run;
        // Waits until the broker serves it: the controller's answer to a create can come before the broker's
        // metadata has the topic, and the gateway then found none (CI, session 12).
        kafka.createTopic(gone, 1);
        HttpResponse<byte[]> created = api.put("/v1/triggers/orphan", acme, body("echo", gone, ""));
        assertThat(created.statusCode()).as(text(created)).isEqualTo(201);
        assertThat(json(created).get("state").asText()).isEqualTo("RUNNING");

        admin.deleteTopics(List.of(gone)).all().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode orphan = json(api.get("/v1/triggers/orphan", acme));
            assertThat(orphan.get("state").asText()).isEqualTo("FAILING");
            assertThat(orphan.get("error").asText()).contains(gone).contains("do not exist");
        });
        assertThat(api.delete("/v1/triggers/orphan", acme).statusCode()).isEqualTo(204);
    }

    @Test
    void shouldRefuseWith403NamingTheTopicWhenItBelongsToAnotherTenantsPatterns() throws Exception {
        String stolen = "acme.stolen-" + run;
        HttpResponse<byte[]> source = api.put("/v1/triggers/peek", beta, body("echo", orders, ""));
        HttpResponse<byte[]> output = api.put("/v1/triggers/leak", beta,
                body("echo", "beta.orders-" + run, ", \"destination\": \"" + stolen + "\""));

        for (HttpResponse<byte[]> refused : List.of(source, output)) {
            assertThat(refused.statusCode()).as(text(refused)).isEqualTo(403);
            assertThat(json(refused).get("code").asText()).isEqualTo("forbidden");
        }
        assertThat(json(source).get("error").asText()).contains("'" + orders + "'").contains("beta.*");
        assertThat(json(output).get("error").asText()).contains("'" + stolen + "'").contains("destination");
        assertThat(exists(stolen)).as("nothing created for a refused trigger").isFalse();
        assertThat(json(api.get("/v1/triggers", beta)).get("triggers")).isEmpty();

        // A group of its own must be in the tenant's namespace too: another application's group is not its to join.
        HttpResponse<byte[]> group = api.put("/v1/triggers/join", beta,
                body("echo", "beta.orders-" + run, ", \"group\": \"acme-billing\""));
        assertThat(group.statusCode()).as(text(group)).isEqualTo(403);
        assertThat(json(group).get("error").asText()).contains("group 'acme-billing'").contains("beta.*");

        HttpResponse<byte[]> none = api.put("/v1/triggers/any", nothing, body("echo", "shared-" + run, ""));
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(json(none).get("error").asText()).contains("'shared-" + run + "'").contains("its topics: none");
    }

    @Test
    void shouldRefuseTopicsThePlatformOrKafkaOwnWith403EvenWhenTheTenantMayUseEveryTopic() {
        String invocations = catalog.invocations();
        String results = catalog.results();
        String dlq = catalog.dlq();
        HttpResponse<byte[]> asSource = api.put("/v1/triggers/loop", everything, body("echo", invocations, ""));
        HttpResponse<byte[]> asDestination = api.put("/v1/triggers/loop", everything,
                body("echo", "shared-" + run, ", \"destination\": \"" + results + "\""));
        HttpResponse<byte[]> asOnFailure = api.put("/v1/triggers/loop", everything,
                body("echo", "shared-" + run, ", \"onFailure\": \"" + dlq + "\""));

        assertThat(asSource.statusCode()).isEqualTo(403);
        assertThat(json(asSource).get("error").asText()).contains("'" + invocations + "'")
                .contains("one of Ferry's own topics");
        assertThat(asDestination.statusCode()).isEqualTo(403);
        assertThat(json(asDestination).get("error").asText()).contains("'" + results + "'");
        assertThat(asOnFailure.statusCode()).isEqualTo(403);
        assertThat(json(asOnFailure).get("error").asText()).contains("'" + dlq + "'")
                .contains("leave onFailure out");

        // Also what is internal to Ferry and to Kafka: metering's changelogs hold every tenant's usage, its
        // repartition topic is billed from, and Kafka's and the registry's topics start with '_'.
        String changelog = catalog.meteringApplicationId() + "-usage-windows-changelog";
        String repartition = catalog.meteringApplicationId() + "-by-function-repartition";
        HttpResponse<byte[]> usage = api.put("/v1/triggers/loop", everything, body("echo", changelog, ""));
        HttpResponse<byte[]> billing = api.put("/v1/triggers/loop", everything,
                body("echo", "shared-" + run, ", \"destination\": \"" + repartition + "\""));
        HttpResponse<byte[]> schemas = api.put("/v1/triggers/loop", everything, body("echo", "_schemas", ""));
        HttpResponse<byte[]> offsets = api.put("/v1/triggers/loop", everything,
                body("echo", "shared-" + run, ", \"onFailure\": \"__transaction_state\""));
        assertThat(usage.statusCode()).isEqualTo(403);
        assertThat(json(usage).get("error").asText()).contains("'" + changelog + "'").contains("internal to Ferry");
        assertThat(billing.statusCode()).isEqualTo(403);
        assertThat(json(billing).get("error").asText()).contains("'" + repartition + "'");
        assertThat(schemas.statusCode()).isEqualTo(403);
        assertThat(json(schemas).get("error").asText()).contains("'_schemas'").contains("internal to Kafka");
        assertThat(offsets.statusCode()).isEqualTo(403);
        assertThat(json(offsets).get("error").asText()).contains("'__transaction_state'");

        HttpResponse<byte[]> anyOther = api.put("/v1/triggers/loop", everything, body("echo", "shared-" + run, ""));
        assertThat(anyOther.statusCode()).as(text(anyOther)).isEqualTo(201);
        assertThat(json(anyOther).get("onFailure").isNull()).as("null: the platform's DLQ").isTrue();
        assertThat(api.delete("/v1/triggers/loop", everything).statusCode()).isEqualTo(204);
    }

    @Test
    void shouldRefuseWith400NamingTheMissingSourceTopicAndFunction() throws Exception {
        String missing = "acme.missing-" + run;
        String destination = "acme.never-" + run;
        HttpResponse<byte[]> response = api.put("/v1/triggers/broken", acme,
                body("ghost", missing, ", \"destination\": \"" + destination + "\""));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = json(response);
        assertThat(error.get("code").asText()).isEqualTo("invalid_trigger");
        assertThat(error.get("errors")).extracting(JsonNode::asText).containsExactlyInAnyOrder(
                "function 'ghost' does not exist: deploy it first",
                "source topic '" + missing + "' does not exist");
        assertThat(exists(missing)).isFalse();
        assertThat(exists(destination)).as("a refused trigger creates nothing").isFalse();
        assertThat(api.get("/v1/triggers/broken", acme).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldNameTheMissingDestinationWhenTheGatewayMayNotCreateTopics() throws Exception {
        String destination = "acme.out-" + run;
        String failures = "acme.failed-" + run;
        HttpResponse<byte[]> response = strictApi.put("/v1/triggers/strict", acme, body("echo", orders,
                ", \"destination\": \"" + destination + "\", \"onFailure\": \"" + failures + "\""));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).contains("destination topic '" + destination
                + "' does not exist").contains("onFailure topic '" + failures + "' does not exist");
        assertThat(exists(destination)).isFalse();
    }

    @Test
    void shouldListEveryProblemOfABadBodyWith400() {
        HttpResponse<byte[]> response = api.put("/v1/triggers/bad", acme, """
                {"function": "echo", "topics": ["%s"], "batchSize": 0, "ordering": "RANDOM", "colour": "red",
                 "tenant": "beta", "filter": "not json"}""".formatted(orders));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = json(response);
        assertThat(error.get("code").asText()).isEqualTo("invalid_trigger");
        assertThat(error.get("errors")).extracting(JsonNode::asText)
                .contains("unknown field 'colour'", "tenant must not be given: it is the tenant of the API key")
                .anyMatch(e -> e.startsWith("ordering must be one of [PARTITION, KEY, NONE], got 'RANDOM'"))
                .anyMatch(e -> e.startsWith("filter"));
        HttpResponse<byte[]> badName = api.put("/v1/triggers/Bad_Name", acme, body("echo", orders, ""));
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(json(badName).get("error").asText()).contains("Bad_Name");
        assertThat(api.put("/v1/triggers/x", null, body("echo", orders, "")).statusCode()).isEqualTo(401);
    }

    /**
     * A paused trigger has no replica to report its lag, and that lag is what a user watches grow: it is read from
     * the broker, from the group's committed position (or, on a partition it has none, its startingPosition).
     */
    @Test
    void shouldShowAPausedTriggersLagGrowingFromItsGroupsPosition(KafkaFixture kafka) throws Exception {
        String topic = "acme.paused-" + run;
        kafka.createTopic(topic, 2);
        HttpResponse<byte[]> created = api.put("/v1/triggers/idle", acme, body("echo", topic,
                ", \"startingPosition\": \"EARLIEST\", \"enabled\": false"));
        assertThat(created.statusCode()).as(text(created)).isEqualTo(201);
        assertThat(json(created).get("lag").asText()).isEqualTo("0");
        try (KafkaProducer<String, String> producer = new KafkaClients(config).producer("test-paused",
                new StringSerializer(), new StringSerializer(), Map.of())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "{}"));
            }
            producer.send(new ProducerRecord<>(topic, 1, "k", "{}"));
            producer.flush();
        }
        // The group read two records of partition 0 before it was paused; it never read partition 1.
        admin.alterConsumerGroupOffsets(catalog.triggerGroup(new dev.ferry.core.triggers.TriggerRef("acme", "idle")),
                Map.of(new org.apache.kafka.common.TopicPartition(topic, 0),
                        new org.apache.kafka.clients.consumer.OffsetAndMetadata(2))).all().get(10, TimeUnit.SECONDS);

        try {
            JsonNode described = json(api.get("/v1/triggers/idle", acme));
            assertThat(described.get("state").asText()).isEqualTo("PAUSED");
            assertThat(described.get("lag").asText()).as("3 left on partition 0, 1 on partition 1").isEqualTo("4");
            assertThat(json(api.get("/v1/triggers", acme)).get("triggers"))
                    .filteredOn(t -> t.get("name").asText().equals("idle"))
                    .singleElement().satisfies(t -> assertThat(t.get("lag").asText()).isEqualTo("4"));
        } finally {
            api.delete("/v1/triggers/idle", acme);
        }
    }

    /**
     * LATEST means from the trigger's creation, not from when its first replica joins: records written after the
     * PUT but before any replica runs are its work. A tester lost the record that woke a pool from zero, because
     * the group took "latest" only when its first replica joined. Asserted as any Kafka tool shows it: the group's
     * position is the end of each partition at creation, and a paused trigger's lag counts what came after,
     * for a consumer group (PARTITION) and a share group (NONE) alike.
     */
    @Test
    void shouldStartALatestTriggerAtItsCreationNotWhenItsFirstReplicaJoins(KafkaFixture kafka) throws Exception {
        String topic = "acme.latest-" + run;
        kafka.createTopic(topic, 2);
        try (KafkaProducer<String, String> producer = new KafkaClients(config).producer("test-latest",
                new StringSerializer(), new StringSerializer(), Map.of())) {
            producer.send(new ProducerRecord<>(topic, 0, "before", "{}"));
            producer.flush();
            for (String ordering : List.of("PARTITION", "NONE")) {
                String name = "late-" + ordering.toLowerCase(java.util.Locale.ROOT);
                HttpResponse<byte[]> created = api.put("/v1/triggers/" + name, acme, body("echo", topic,
                        ", \"ordering\": \"" + ordering + "\", \"enabled\": false"));
                assertThat(created.statusCode()).as(text(created)).isEqualTo(201);
            }
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, "after" + i, "{}"));
            }
            producer.flush();
        }
        try {
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(catalog.triggerGroup(
                            new dev.ferry.core.triggers.TriggerRef("acme", "late-partition")))
                            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            assertThat(committed).as("the ends at creation").containsOnlyKeys(
                    new org.apache.kafka.common.TopicPartition(topic, 0),
                    new org.apache.kafka.common.TopicPartition(topic, 1));
            assertThat(committed.get(new org.apache.kafka.common.TopicPartition(topic, 0)).offset()).isEqualTo(1);
            assertThat(committed.get(new org.apache.kafka.common.TopicPartition(topic, 1)).offset()).isZero();
            for (String name : List.of("late-partition", "late-none")) {
                assertThat(json(api.get("/v1/triggers/" + name, acme)).get("lag").asText())
                        .as("%s: the three records after its creation wait for it", name).isEqualTo("3");
            }
            // A partition added later is read from its start (tester 12A, finding 1): its records count, they were 0.
            admin.createPartitions(Map.of(topic, org.apache.kafka.clients.admin.NewPartitions.increaseTo(3))).all()
                    .get(10, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = new KafkaClients(config).producer("test-latest-grown",
                    new StringSerializer(), new StringSerializer(), Map.of())) {
                producer.send(new ProducerRecord<>(topic, 2, "added0", "{}"));
                producer.send(new ProducerRecord<>(topic, 2, "added1", "{}"));
                producer.flush();
            }
            for (String name : List.of("late-partition", "late-none")) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(json(api.get("/v1/triggers/"
                        + name, acme)).get("lag").asText()).as("%s: the added partition's records wait too", name)
                        .isEqualTo("5"));
            }
        } finally {
            api.delete("/v1/triggers/late-partition", acme);
            api.delete("/v1/triggers/late-none", acme);
        }
    }

    @Test
    void shouldRefuseWith409WhenOrderingWouldTurnTheConsumerGroupIntoAShareGroup() {
        assertThat(api.put("/v1/triggers/ordered", acme, body("echo", orders, "")).statusCode()).isEqualTo(201);

        HttpResponse<byte[]> response = api.put("/v1/triggers/ordered", acme,
                body("echo", orders, ", \"ordering\": \"NONE\""));

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(json(response).get("error").asText()).contains("PARTITION to NONE");
        assertThat(api.delete("/v1/triggers/ordered", acme).statusCode()).isEqualTo(204);
    }

    /**
     * Deleting a trigger keeps its group, so one re-created under the name with the other kind of ordering found a
     * group Kafka would never let it join: 201, then FAILING for good (tester 12A, finding 5). The PUT now answers
     * the 409 of a change in place, checked against the group Kafka has, in both directions.
     */
    @Test
    void shouldRefuseWith409ARecreatedTriggerWhoseKeptGroupIsOfTheOtherKind() {
        for (String[] kinds : new String[][] {{"PARTITION", "NONE", "consumer"}, {"NONE", "KEY", "share"}}) {
            String name = "kept-" + kinds[0].toLowerCase(java.util.Locale.ROOT);
            String group = catalog.triggerGroup(new dev.ferry.core.triggers.TriggerRef("acme", name));
            HttpResponse<byte[]> created = api.put("/v1/triggers/" + name, acme,
                    body("echo", orders, ", \"ordering\": \"" + kinds[0] + "\""));
            assertThat(created.statusCode()).as(text(created)).isEqualTo(201);
            assertThat(api.delete("/v1/triggers/" + name, acme).statusCode()).isEqualTo(204);

            HttpResponse<byte[]> again = api.put("/v1/triggers/" + name, acme,
                    body("echo", orders, ", \"ordering\": \"" + kinds[1] + "\""));

            assertThat(again.statusCode()).as(text(again)).isEqualTo(409);
            assertThat(json(again).get("code").asText()).isEqualTo("conflict");
            assertThat(json(again).get("error").asText()).contains("group '" + group + "' exists in Kafka as a "
                    + kinds[2] + " group", "another group", "kafka-" + kinds[2] + "-groups.sh");
            assertThat(api.get("/v1/triggers/" + name, acme).statusCode()).isEqualTo(404);
            // The same ordering as before continues in the kept group, as documented.
            HttpResponse<byte[]> same = api.put("/v1/triggers/" + name, acme,
                    body("echo", orders, ", \"ordering\": \"" + kinds[0] + "\""));
            assertThat(same.statusCode()).as(text(same)).isEqualTo(201);
            assertThat(api.delete("/v1/triggers/" + name, acme).statusCode()).isEqualTo(204);
        }
    }

    @Test
    void shouldSumWhatTheFreshReplicasReportWithRatesAndState() throws Exception {
        assertThat(api.put("/v1/triggers/counted", acme, body("echo", orders, "")).statusCode()).isEqualTo(201);
        Instant now = Instant.now();
        try (KafkaProducer<String, TriggerStatus> producer = new KafkaClients(config).producer("test-status",
                new StringSerializer(), new AvroSerdes(config).serializer(TriggerStatus.class), Map.of())) {
            report(producer, "w1#counted#0", now.minusSeconds(2), TriggerState.RUNNING, 4, 100, 10, 85, 5);
            report(producer, "w1#counted#0", now, TriggerState.RUNNING, 2, 120, 12, 102, 6);
            report(producer, "w1#counted#1", now, TriggerState.RUNNING, 3, 30, 0, 30, 0);
            // a replica that stopped without a tombstone long ago: not counted
            report(producer, "w0#counted#0", now.minus(Duration.ofHours(1)), TriggerState.FAILING, 999, 999, 0, 0, 0);
            producer.flush();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode t = json(api.get("/v1/triggers/counted", acme));
                assertThat(t.get("state").asText()).isEqualTo("RUNNING");
                assertThat(t.get("lag").asLong()).isEqualTo(5);
                assertThat(t.get("read").asLong()).isEqualTo(150);
                assertThat(t.get("filtered").asLong()).isEqualTo(12);
                assertThat(t.get("answered").asLong()).isEqualTo(132);
                assertThat(t.get("failed").asLong()).isEqualTo(6);
                assertThat(t.get("replicas").asInt()).isEqualTo(2);
                assertThat(t.get("rates").get("read").asDouble()).isCloseTo(10.0, within(1e-6));
                assertThat(t.get("rates").get("answered").asDouble()).isCloseTo(8.5, within(1e-6));
                assertThat(t.get("rates").get("failed").asDouble()).isCloseTo(0.5, within(1e-6));
            });

            report(producer, "w1#counted#1", Instant.now(), TriggerState.FAILING, -1, 31, 0, 30, 0);
            producer.send(new ProducerRecord<>(catalog.triggerStatus(), "acme/counted/w1#counted#0", null));
            producer.flush();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode t = null;
                for (JsonNode listed : json(api.get("/v1/triggers", acme)).get("triggers")) {
                    t = listed.get("name").asText().equals("counted") ? listed : t;
                }
                assertThat(t).as("counted is listed").isNotNull();
                assertThat(t.get("state").asText()).isEqualTo("FAILING");
                assertThat(t.get("error").asText()).isEqualTo("cannot read the source");
                assertThat(t.get("read").asLong()).as("the stopped replica's counts are gone").isEqualTo(31);
                assertThat(t.get("lag").asText()).as("the only replica does not know its lag: the broker's, "
                        + "from the end, where a new trigger starts").isEqualTo("0");
            });
        } finally {
            api.delete("/v1/triggers/counted", acme);
        }
    }

    private static void report(KafkaProducer<String, TriggerStatus> producer, String worker, Instant at,
            TriggerState state, long lag, long read, long filtered, long answered, long failed) {
        TriggerStatus status = TriggerStatus.newBuilder().setTenant("acme").setName("counted").setWorker(worker)
                .setAt(at).setState(state).setError(state == TriggerState.FAILING ? "cannot read the source" : null)
                .setLag(lag).setRead(read).setFiltered(filtered).setAnswered(answered).setFailed(failed).build();
        producer.send(new ProducerRecord<>(catalog.triggerStatus(), "acme/counted/" + worker, status));
    }

    /**
     * A tester's two triggers, cyc1 to cyc2 and cyc2 to cyc1, grew both topics without end from one record, each
     * pass billed; only a destination that is its own source was refused.
     */
    @Test
    void shouldRefuseWith400ATriggerThatWouldCloseACycleThroughStoredTriggersOfAnyTenant(KafkaFixture kafka) {
        String cyc1 = "acme.cyc1-" + run;
        String cyc2 = "acme.cyc2-" + run;
        String cyc3 = "acme.cyc3-" + run;
        kafka.createTopic(cyc1, 1);
        try {
            assertThat(api.put("/v1/triggers/cyca", acme, body("echo", cyc1, ", \"destination\": \"" + cyc2
                    + "\"")).statusCode()).isEqualTo(201);

            HttpResponse<byte[]> back = api.put("/v1/triggers/cycb", acme,
                    body("echo", cyc2, ", \"destination\": \"" + cyc1 + "\""));
            assertThat(back.statusCode()).as(text(back)).isEqualTo(400);
            assertThat(json(back).get("code").asText()).isEqualTo("invalid_trigger");
            assertThat(json(back).get("error").asText()).contains("destination '" + cyc1
                    + "' leads back to source topic '" + cyc2 + "' through trigger 'cyca'");
            assertThat(api.get("/v1/triggers/cycb", acme).statusCode()).isEqualTo(404);

            // Failures loop too, and a paused trigger counts: resuming it would start the loop.
            assertThat(api.put("/v1/triggers/cyca", acme, body("echo", cyc1, ", \"destination\": \"" + cyc2
                    + "\", \"enabled\": false")).statusCode()).isEqualTo(200);
            HttpResponse<byte[]> failingBack = api.put("/v1/triggers/cycb", acme,
                    body("echo", cyc2, ", \"onFailure\": \"" + cyc1 + "\""));
            assertThat(failingBack.statusCode()).as(text(failingBack)).isEqualTo(400);
            assertThat(json(failingBack).get("error").asText()).contains("onFailure '" + cyc1 + "'", "paused");

            // Through another tenant's trigger on a topic both may use: refused without naming it.
            assertThat(api.put("/v1/triggers/relay", everything, body("echo", cyc2, ", \"destination\": \""
                    + cyc3 + "\"")).statusCode()).isEqualTo(201);
            HttpResponse<byte[]> viaOther = api.put("/v1/triggers/cycb", acme,
                    body("echo", cyc3, ", \"destination\": \"" + cyc1 + "\""));
            assertThat(viaOther.statusCode()).as(text(viaOther)).isEqualTo(400);
            assertThat(json(viaOther).get("error").asText()).contains("a cycle through other triggers")
                    .doesNotContain("relay");

            // A chain that ends is fine.
            assertThat(api.put("/v1/triggers/cycb", acme, body("echo", cyc3, ", \"destination\": \"acme.end-"
                    + run + "\"")).statusCode()).isEqualTo(201);

            // A loop stored past this check (before it existed, or through two gateways at once) can be paused,
            // the way the CLI does it (the spec as described), but not resumed while it stands.
            try (TriggerPublisher publisher = new TriggerPublisher(new KafkaClients(config), catalog,
                    new AvroSerdes(config).serializer(TriggerSpec.class))) {
                publisher.put(TriggerSpecs.builder("acme", "cycb", "echo", List.of(cyc2)).setDestination(cyc1)
                        .build());
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> json(api.get("/v1/triggers/cycb", acme))
                    .path("destination").asText().equals(cyc1));
            ObjectNode described = (ObjectNode) json(api.get("/v1/triggers/cycb", acme));
            HttpResponse<byte[]> paused = api.put("/v1/triggers/cycb", acme,
                    described.retain(List.of("function", "topics", "group", "destination", "filter"))
                            .put("enabled", false).toString());
            assertThat(paused.statusCode()).as(text(paused)).isEqualTo(200);
            HttpResponse<byte[]> resumed = api.put("/v1/triggers/cycb", acme,
                    body("echo", cyc2, ", \"destination\": \"" + cyc1 + "\""));
            assertThat(resumed.statusCode()).as(text(resumed)).isEqualTo(400);
        } finally {
            api.delete("/v1/triggers/cyca", acme);
            api.delete("/v1/triggers/cycb", acme);
            api.delete("/v1/triggers/relay", everything);
        }
    }

    @Test
    void shouldCreateATriggerOnTheTenantsOwnTopicsThatNoOtherTenantLists() {
        HttpResponse<byte[]> mine = api.put("/v1/triggers/mine", beta, body("echo", "beta.orders-" + run, ""));
        assertThat(mine.statusCode()).as(text(mine)).isEqualTo(201);
        assertThat(json(api.get("/v1/triggers", acme)).get("triggers")).extracting(t -> t.get("name").asText())
                .doesNotContain("mine");
        assertThat(api.delete("/v1/triggers/mine", beta).statusCode()).isEqualTo(204);
    }
}

package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform-wide budget of work-topic partitions ({@code topic.work.max.total.partitions}, session 11): one
 * tenant's 19 deploys of {@code partitions} 1000, each answered 201, took the embedded broker past its open-file limit
 * and the whole dev platform down. Each case runs a gateway with a budget of 10 on a topic prefix of its own, so it
 * sees only its own functions.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PartitionBudgetIT {

    private static final String SPEC = "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"partitions\": %d}";

    @TempDir
    static Path dir;

    private static String acme;
    private static String beta;

    @BeforeAll
    static void tenants() {
        TenantAdmin admin = new TenantAdmin(dir.resolve("tenants.json"));
        acme = admin.createTenant("acme");
        admin.setTopics("acme", List.of("acme.*"));
        beta = admin.createTenant("beta");
    }

    private static FerryConfig config(KafkaFixture kafka) {
        return config(kafka, 10);
    }

    private static FerryConfig config(KafkaFixture kafka, int budget) {
        return Platform.config(kafka, dir.resolve("tenants.json"))
                .with(TopicConfig.WORK_MAX_TOTAL_PARTITIONS, budget)
                .with(GatewayConfig.QUOTA_REPORT_INTERVAL_MS, 0L);
    }

    @Test
    void shouldRefuseCreatesAndRaisesBeyondWhatIsLeftOfThePlatformsPartitionBudget(KafkaFixture kafka)
            throws Exception {
        FerryConfig config = config(kafka);
        try (Gateway gateway = new Gateway(config).start()) {
            HttpApi api = new HttpApi(gateway.port());
            assertThat(api.put("/v1/functions/wide", beta, SPEC.formatted(6)).statusCode()).isEqualTo(201);

            HttpResponse<byte[]> refused = api.put("/v1/functions/later", acme, SPEC.formatted(5));
            assertThat(refused.statusCode()).as("another tenant holds 6 of 10: %s", text(refused)).isEqualTo(400);
            assertThat(json(refused).get("code").asText()).isEqualTo("invalid_function");
            assertThat(json(refused).get("error").asText()).contains("4 of topic.work.max.total.partitions=10")
                    .doesNotContain("beta").doesNotContain("wide").doesNotContain("this tenant's");
            assertThat(api.get("/v1/functions/later", acme).statusCode()).isEqualTo(404);
            assertThat(api.put("/v1/functions/later", acme, SPEC.formatted(4)).statusCode())
                    .as("what is left can be taken").isEqualTo(201);

            HttpResponse<byte[]> raised = api.put("/v1/functions/wide", beta, SPEC.formatted(7));
            assertThat(raised.statusCode()).as("a raise counts the function once: %s", text(raised)).isEqualTo(400);
            assertThat(json(raised).get("error").asText()).contains("6 of topic.work.max.total.partitions=10");
            assertThat(api.put("/v1/functions/wide", beta, SPEC.formatted(6)).statusCode())
                    .as("an update that keeps its partitions").isEqualTo(200);

            HttpResponse<byte[]> more = api.put("/v1/functions/wide-too", beta, SPEC.formatted(1));
            assertThat(more.statusCode()).as(text(more)).isEqualTo(400);
            assertThat(json(more).get("error").asText()).contains("0 of topic.work.max.total.partitions=10")
                    .contains("this tenant's other functions hold 6");

            assertThat(api.delete("/v1/functions/later", acme).statusCode()).isEqualTo(204);
            HttpResponse<byte[]> leftover = api.put("/v1/functions/wide-too", beta, SPEC.formatted(4));
            assertThat(leftover.statusCode()).as("a removed function's work topic stays: %s", text(leftover))
                    .isEqualTo(400);
            assertThat(json(leftover).get("error").asText())
                    .contains("the work topics of deleted functions hold 4:").doesNotContain("later");
            String later = new TopicCatalog(config).work(new FunctionRef("acme", "later"));
            try (Admin admin = new KafkaClients(config).admin("budget-it-operator")) {
                admin.deleteTopics(List.of(later)).all().get(30, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(30)).until(() -> !admin.listTopics().names().get().contains(later));
            }
            assertThat(api.put("/v1/functions/wide-too", beta, SPEC.formatted(4)).statusCode())
                    .as("its partitions are free once an operator deleted its topic").isEqualTo(201);
        }
    }

    /**
     * A deleted function's work topic stays on the brokers (its queued calls are answered from it, and a function
     * created again under the name starts past them), so it holds its partitions until an operator deletes it. Before,
     * the budget counted deployed functions only: a tenant creating wide functions under new names and deleting them
     * grew the brokers' partitions without bound and was never refused. Budget 25: two deleted functions' topics hold
     * 20; a function created again over its old, wider topic holds the topic's partitions, counted once; a work
     * topic an operator deleted is made again by the next deploy of its name, whose calls run.
     */
    @Test
    void shouldCountTheWorkTopicsOfDeletedFunctionsUntilAnOperatorDeletesThem(KafkaFixture kafka) throws Exception {
        FerryConfig config = config(kafka, 25);
        TopicCatalog topics = new TopicCatalog(config);
        try (Platform platform = Platform.start(config); Gateway gateway = new Gateway(config).start();
                Admin admin = new KafkaClients(config).admin("budget-it-operator")) {
            HttpApi api = new HttpApi(gateway.port());
            assertThat(api.put("/v1/functions/f1", acme, SPEC.formatted(10)).statusCode()).isEqualTo(201);
            assertThat(api.post("/v1/functions/f1/invoke", acme, "one", "text/plain").statusCode()).isEqualTo(200);
            assertThat(api.delete("/v1/functions/f1", acme).statusCode()).isEqualTo(204);
            assertThat(api.put("/v1/functions/f2", acme, SPEC.formatted(10)).statusCode()).isEqualTo(201);
            assertThat(api.delete("/v1/functions/f2", acme).statusCode()).isEqualTo(204);

            HttpResponse<byte[]> refused = api.put("/v1/functions/f3", acme, SPEC.formatted(10));
            assertThat(refused.statusCode()).as("deleted functions' topics hold 20 of 25: %s", text(refused))
                    .isEqualTo(400);
            assertThat(json(refused).get("code").asText()).isEqualTo("invalid_function");
            assertThat(json(refused).get("error").asText())
                    .contains("5 of topic.work.max.total.partitions=25")
                    .contains("the work topics of deleted functions hold 20 (this tenant's 20)")
                    .contains("deleting such a topic").contains("Kafka's tools")
                    .contains("once no function of that name exists");
            assertThat(api.get("/v1/functions/f3", acme).statusCode()).isEqualTo(404);

            String f1Topic = topics.work(new FunctionRef("acme", "f1"));
            admin.deleteTopics(List.of(f1Topic)).all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> !admin.listTopics().names().get().contains(f1Topic));
            assertThat(api.put("/v1/functions/f3", acme, SPEC.formatted(10)).statusCode())
                    .as("the operator freed f1's 10").isEqualTo(201);

            assertThat(api.put("/v1/functions/f2", acme, SPEC.formatted(5)).statusCode())
                    .as("created again on its old topic, which adds no partition").isEqualTo(201);
            HttpResponse<byte[]> counted = api.put("/v1/functions/f4", acme, SPEC.formatted(6));
            assertThat(counted.statusCode()).as(text(counted)).isEqualTo(400);
            assertThat(json(counted).get("error").asText())
                    .as("f2 holds its topic's 10, not its spec's 5, and not twice")
                    .contains("5 of topic.work.max.total.partitions=25")
                    .doesNotContain("deleted functions hold");

            HttpResponse<byte[]> again = api.put("/v1/functions/f1", acme, SPEC.formatted(5));
            assertThat(again.statusCode()).as(text(again)).isEqualTo(201);
            assertThat(admin.describeTopics(List.of(f1Topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(f1Topic).partitions()).as("made again by the deploy").hasSize(5);
            HttpResponse<byte[]> call = api.post("/v1/functions/f1/invoke", acme, "two", "text/plain");
            assertThat(call.statusCode()).as(text(call)).isEqualTo(200);
            assertThat(text(call)).contains("two");
        }
    }

    /**
     * The lead's notes, session 14: a destination or onFailure topic a trigger PUT creates was not counted, so a
     * tenant naming new topics grew the brokers' partitions without bound. Budget 10: a function holds 1; a trigger
     * that creates two topics of its source's 3 partitions takes 6; a second one that would take 6 more is refused
     * (400 invalid_trigger, nothing created) and so is a deploy wider than what is left; the created topics stay
     * counted when their trigger is deleted, until an operator deletes one; a topic that existed is never counted.
     */
    @Test
    void shouldCountTheTopicsTriggerPutsCreateInThePartitionBudget(KafkaFixture kafka) throws Exception {
        FerryConfig config = config(kafka, 10);
        String run = java.util.UUID.randomUUID().toString().substring(0, 8);
        String source = "acme.src-" + run;
        String out1 = "acme.out1-" + run;
        String fail1 = "acme.fail1-" + run;
        String mine = "acme.mine-" + run;
        kafka.createTopic(source, 3);
        kafka.createTopic(mine, 3);
        String trigger = "{\"function\": \"fn\", \"topics\": [\"" + source + "\"]%s}";
        try (Gateway gateway = new Gateway(config).start();
                Admin admin = new KafkaClients(config).admin("budget-it-operator")) {
            HttpApi api = new HttpApi(gateway.port());
            assertThat(api.put("/v1/functions/fn", acme, SPEC.formatted(1)).statusCode()).isEqualTo(201);
            HttpResponse<byte[]> first = api.put("/v1/triggers/t1", acme, trigger.formatted(
                    ", \"destination\": \"" + out1 + "\", \"onFailure\": \"" + fail1 + "\""));
            assertThat(first.statusCode()).as(text(first)).isEqualTo(201);

            String out2 = "acme.out2-" + run;
            String fail2 = "acme.fail2-" + run;
            HttpResponse<byte[]> refused = api.put("/v1/triggers/t2", acme, trigger.formatted(
                    ", \"destination\": \"" + out2 + "\", \"onFailure\": \"" + fail2 + "\""));
            assertThat(refused.statusCode()).as("1 + 6 held of 10, 6 more asked: %s", text(refused)).isEqualTo(400);
            assertThat(json(refused).get("code").asText()).isEqualTo("invalid_trigger");
            assertThat(json(refused).get("error").asText()).contains("takes 6 partitions")
                    .contains("3 of topic.work.max.total.partitions=10").contains("this tenant's hold 7");
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(out2, fail2);
            assertThat(api.get("/v1/triggers/t2", acme).statusCode()).isEqualTo(404);

            HttpResponse<byte[]> existing = api.put("/v1/triggers/t3", acme, trigger.formatted(
                    ", \"destination\": \"" + mine + "\""));
            assertThat(existing.statusCode()).as("a topic that exists is the user's: %s", text(existing))
                    .isEqualTo(201);

            HttpResponse<byte[]> wide = api.put("/v1/functions/wide", acme, SPEC.formatted(4));
            assertThat(wide.statusCode()).as(text(wide)).isEqualTo(400);
            assertThat(json(wide).get("code").asText()).isEqualTo("invalid_function");
            assertThat(json(wide).get("error").asText()).contains("3 of topic.work.max.total.partitions=10")
                    .contains("topics trigger PUTs created hold 6 (this tenant's 6)");

            assertThat(api.delete("/v1/triggers/t1", acme).statusCode()).isEqualTo(204);
            assertThat(api.put("/v1/functions/wide", acme, SPEC.formatted(4)).statusCode())
                    .as("the topics stay, and stay counted").isEqualTo(400);
            admin.deleteTopics(List.of(out1)).all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> !admin.listTopics().names().get().contains(out1));
            HttpResponse<byte[]> freed = api.put("/v1/functions/wide", acme, SPEC.formatted(4));
            assertThat(freed.statusCode()).as("an operator freed 3: %s", text(freed)).isEqualTo(201);
            HttpResponse<byte[]> full = api.put("/v1/functions/more", acme, SPEC.formatted(3));
            assertThat(full.statusCode()).as(text(full)).isEqualTo(400);
            assertThat(json(full).get("error").asText()).contains("2 of topic.work.max.total.partitions=10")
                    .contains("topics trigger PUTs created hold 3");
        }
    }

    /**
     * Creates through one gateway at the same instant each check what the others have not yet written unless they
     * wait for each other, as writes that pin replicas do (session 10): 8 creates of 2 partitions with 10 left.
     */
    @Test
    void shouldNotOvercommitThePartitionBudgetWhenCreatesThroughOneGatewayComeAtOnce(KafkaFixture kafka)
            throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (Gateway gateway = new Gateway(config(kafka)).start()) {
            HttpApi api = new HttpApi(gateway.port());
            List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String path = "/v1/functions/rush-" + i;
                answers.add(callers.submit(() -> api.put(path, beta, SPEC.formatted(2))));
            }
            List<Integer> codes = new ArrayList<>();
            for (Future<HttpResponse<byte[]>> answer : answers) {
                codes.add(answer.get(90, TimeUnit.SECONDS).statusCode());
            }
            assertThat(codes).as("2 partitions each, 10 in all").containsOnly(201, 400);
            assertThat(codes.stream().filter(c -> c == 201).count()).as("%s", codes).isEqualTo(5);
        } finally {
            callers.shutdownNow();
        }
    }
}

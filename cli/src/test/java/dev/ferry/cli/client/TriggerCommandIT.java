package dev.ferry.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.Ferry;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.ingest.Gateway;
import dev.ferry.ingest.TenantAdmin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry trigger ...} against a real gateway on the embedded broker: what a user types and reads (issue 14,
 * part 1), errors included.
 */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TriggerCommandIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path dir;

    private static Gateway gateway;
    private static String url;
    private static String acme;
    private static String beta;
    private static String orders;

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void start(KafkaFixture kafka) {
        TenantAdmin admin = new TenantAdmin(dir.resolve("tenants.json"));
        acme = admin.createTenant("acme");
        admin.setTopics("acme", List.of("acme.*"));
        beta = admin.createTenant("beta");
        admin.setTopics("beta", List.of("beta.*"));
        Map<String, Object> settings = new HashMap<>();
        settings.put(FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl());
        settings.put(FerryConfig.TOPIC_PREFIX, "tc" + RUN + ".");
        settings.put("topic.partitions", 2);
        settings.put(GatewayConfig.PORT, 0);
        settings.put(GatewayConfig.TENANTS_FILE, dir.resolve("tenants.json").toString());
        gateway = new Gateway(new FerryConfig(settings)).start();
        url = "http://localhost:" + gateway.port();
        orders = "acme.orders-" + RUN;
        kafka.createTopic(orders, 2);
        Run deployed = ferry(acme, "deploy", "echo", "--handler", "echo");
        assertThat(deployed.exit()).as(deployed.err()).isZero();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    static Run ferry(String key, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", url, "--api-key", key));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Ferry.execute(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldCreateListDescribePauseResumeAndDeleteATrigger() {
        String destination = "acme.enriched-" + RUN;
        Run created = ferry(acme, "trigger", "create", "enrich", "--function", "echo", "--topic", orders,
                "--destination", destination, "--format", "json", "--batch-size", "5", "--filter",
                "{\"value\": {\"status\": [\"paid\"]}}");
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).isEqualTo("created trigger enrich: " + orders + " -> echo -> " + destination
                + " (JSON, PARTITION)\n");

        Run list = ferry(acme, "trigger", "list"); // its lag from the broker: nothing to do yet
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("(?m)^NAME\\s+FUNCTION\\s+TOPICS\\s+DESTINATION\\s+ORDERING\\s+STATE")
                .containsPattern("(?m)^enrich\\s+echo\\s+" + orders.replace(".", "\\.") + "\\s+"
                        + destination.replace(".", "\\.") + "\\s+PARTITION\\s+RUNNING\\s+0\\s+0\\s+0\\s+0\\s+0\\s+-$")
                .as("the counts say they restart with the replicas (tester's report)")
                .contains("(READ, FILTERED, ANSWERED and FAILED count since the current replicas started");

        Run described = ferry(acme, "trigger", "describe", "enrich");
        assertThat(described.exit()).as(described.err()).isZero();
        assertThat(described.out()).containsPattern("(?m)^route:\\s+" + orders.replace(".", "\\.") + " -> echo -> ")
                .containsPattern("(?m)^batchSize:\\s+5$")
                .containsPattern("(?m)^filter:\\s+\\{\"value\": \\{\"status\": \\[\"paid\"]}}$")
                .containsPattern("(?m)^state:\\s+RUNNING$")
                .containsPattern("(?m)^lag:\\s+0$")
                .containsPattern("(?m)^onFailure:\\s+- \\(the platform's DLQ\\)$")
                .containsPattern("(?m)^counted since:\\s+the current replicas started \\(0 again after pause/resume");

        Run paused = ferry(acme, "trigger", "pause", "enrich");
        assertThat(paused.exit()).as(paused.err()).isZero();
        assertThat(paused.out()).isEqualTo("paused trigger enrich\n");
        Run afterPause = ferry(acme, "trigger", "describe", "enrich");
        assertThat(ferry(acme, "trigger", "list").out()).as("a paused trigger's lag shows, not -")
                .containsPattern("(?m)^enrich\\s.*\\sPAUSED\\s+0\\s");
        assertThat(afterPause.out()).containsPattern("(?m)^state:\\s+PAUSED$")
                .as("pause keeps every other setting").containsPattern("(?m)^batchSize:\\s+5$")
                .containsPattern("(?m)^format:\\s+JSON$");

        assertThat(ferry(acme, "trigger", "resume", "enrich").out()).isEqualTo("resumed trigger enrich\n");
        assertThat(ferry(acme, "trigger", "describe", "enrich").out()).containsPattern("(?m)^state:\\s+RUNNING$");

        Run deleted = ferry(acme, "trigger", "delete", "enrich");
        assertThat(deleted.out()).isEqualTo("deleted trigger enrich\n");
        assertThat(ferry(acme, "trigger", "list").out()).startsWith("no triggers");
    }

    @Test
    void shouldExitNonZeroWithTheGatewaysErrorNamingTheTopic() {
        Run missing = ferry(acme, "trigger", "create", "broken", "--function", "echo", "--topic", "acme.nope-" + RUN);
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("ferry: source topic 'acme.nope-" + RUN + "' does not exist "
                + "(HTTP 400, invalid_trigger)\n");

        Run forbidden = ferry(beta, "trigger", "create", "peek", "--function", "echo", "--topic", orders);
        assertThat(forbidden.exit()).isEqualTo(1);
        assertThat(forbidden.err()).startsWith("ferry: tenant 'beta' may not use topic '" + orders + "'")
                .contains("HTTP 403, forbidden");

        Run unknown = ferry(acme, "trigger", "describe", "nothing-here");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("No trigger 'nothing-here'").contains("404");

        Run badNumber = ferry(acme, "trigger", "create", "x", "--function", "echo", "--topic", orders,
                "--batch-size", "many");
        assertThat(badNumber.exit()).isEqualTo(2);
        assertThat(badNumber.err()).contains("--batch-size");

        Run noTopic = ferry(acme, "trigger", "create", "x", "--function", "echo");
        assertThat(noTopic.exit()).isEqualTo(2);
        assertThat(noTopic.err()).contains("--topic");
    }
}

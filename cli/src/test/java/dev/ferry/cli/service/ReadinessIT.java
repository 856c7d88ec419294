package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicProvisioner;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.topics.TopicSpec;
import dev.ferry.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Readiness tells the truth (issue 11, part 4): {@code /readyz} says 200 only when what the process serves works.
 * A {@code ferry dev} is started the way a new user starts it, and polled from its first moment.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadinessIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    static Path dataDir;

    private static CompletableFuture<DevEnvironment> dev;
    private static int port;

    @BeforeAll
    static void startDevInTheBackground() throws IOException {
        port = freePort();
        DevOptions options = new DevOptions();
        new CommandLine(options).parseArgs("--data-dir", dataDir.toString(), "--port", Integer.toString(port),
                "--kafka-port", "0", "--registry-port", "0", "--set", "metering.http.port=0", "--set", "management.port=0");
        // Started on another thread: the test polls /readyz while dev is still starting, as a user's script would.
        dev = CompletableFuture.supplyAsync(() -> DevEnvironment.start(options.settings(),
                new PrintWriter(new StringWriter())));
    }

    @AfterAll
    static void stop() {
        dev.thenAccept(DevEnvironment::close).join();
    }

    @Test
    @Order(1)
    void shouldInvokeEchoWhenReadyzFirstSaysReady() throws Exception {
        String base = "http://localhost:" + port;
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(() -> get(base + "/readyz").statusCode() == 200);
        // At once, as a user following the README would: no 404 "No function 'echo'".
        String key = Files.readString(dataDir.resolve("api-key")).trim();
        HttpResponse<String> echo = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/functions/echo/invoke"))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("hi")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(echo.statusCode()).as(echo.body()).isEqualTo(200);
        assertThat(echo.body()).isEqualTo("hi");
        // dev runs metering itself: it is one of the checks that decide readiness, not only the advisory usage one.
        JsonNode checks = JSON.readTree(get(base + "/readyz").body()).get("checks");
        assertThat(checks.get("metering").asText()).isEqualTo("ok");
        // The watch of hanging transactions answers, and finds none on a fresh platform.
        assertThat(checks.path("transactions").asText()).isEqualTo("ok");
    }

    @Test
    @Order(2)
    void shouldBeUnreadyWhileATailIsDeadAndReadyWhenItIsBack() throws Exception {
        DevEnvironment env = dev.get(3, TimeUnit.MINUTES);
        String base = "http://localhost:" + port;
        FerryConfig config = env.platform().config();
        TopicCatalog topics = new TopicCatalog(config);
        TopicSpec lag = topics.platformTopics().stream().filter(t -> t.name().equals(topics.lag())).findFirst()
                .orElseThrow();
        await().atMost(Duration.ofSeconds(60)).until(() -> get(base + "/readyz").statusCode() == 200);

        try (Admin admin = new KafkaClients(config).admin("readiness-it")) {
            // The dispatcher's lag view follows ferry.lag: deleting the topic under it is fatal to its consumer.
            admin.deleteTopics(Set.of(topics.lag())).all().get(30, TimeUnit.SECONDS);
            awaitNotReady(base, "dispatcher", topics.lag());

            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                new TopicProvisioner(admin).ensure(lag);
                return true;
            });
        }
        // The tail restarts by itself and catches up with the topic created again.
        await().atMost(Duration.ofSeconds(90)).until(() -> get(base + "/readyz").statusCode() == 200);
    }

    @Test
    @Order(3)
    void shouldStayReadyButSayDegradedWhileTheMeteringUsageSourceIsDown() throws Exception {
        DevEnvironment env = dev.get(3, TimeUnit.MINUTES);
        // A gateway alone, asking a metering instance of its own elsewhere (another topic prefix: its own platform).
        int meteringPort = freePort();
        Map<String, Object> settings = new HashMap<>();
        settings.put(FerryConfig.BOOTSTRAP_SERVERS, env.platform().config().bootstrapServers());
        settings.put(FerryConfig.SCHEMA_REGISTRY_URL, String.join(",", env.platform().config().schemaRegistryUrls()));
        settings.put(FerryConfig.TOPIC_PREFIX, "usage-readiness.");
        settings.put("gateway.port", 0);
        settings.put("management.port", 0);
        settings.put(MeteringConfig.HTTP_PORT, meteringPort);
        settings.put(MeteringConfig.STATE_DIR, dataDir.resolve("usage-readiness-metering").toString());
        FerryConfig config = new FerryConfig(settings);
        URI meteringUrl = URI.create("http://localhost:" + meteringPort);

        // Metering as its own process (its own management listener), as `ferry metering` runs it.
        Platform metering = startMetering(config);
        try (Platform gateway = Platform.start(config, EnumSet.of(Platform.Role.GATEWAY), meteringUrl,
                new PrintWriter(new StringWriter()))) {
            String base = "http://localhost:" + gateway.gatewayPort();
            String management = "http://localhost:" + gateway.managementPort();
            await().atMost(Duration.ofSeconds(90)).until(() -> get(base + "/readyz").statusCode() == 200);
            // A metering process's management /readyz names its Streams, as its usage API's /readyz does (it said
            // only "services" before: a metering whose Streams had stopped looked ready to its operator).
            String meteringManagement = "http://localhost:" + metering.managementPort();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(JSON.readTree(get(meteringManagement + "/readyz").body()).path("checks").path("metering")
                        .asText()).isEqualTo("ok");
                assertThat(JSON.readTree(get(meteringUrl + "/readyz").body()).path("checks").path("streams")
                        .asText()).isEqualTo("ok");
            });

            metering.close();
            // Metering down stops GET /v1/usage, not the invocations this gateway serves: a 503 here took every
            // gateway out of its Kubernetes Service (session 11 tester). Still 200, the usage check named.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> ready = get(base + "/readyz");
                assertThat(ready.statusCode()).isEqualTo(200);
                JsonNode body = JSON.readTree(ready.body());
                assertThat(body.get("status").asText()).isEqualTo("ready");
                assertThat(body.get("degraded").get(0).asText()).startsWith("usage: ")
                        .contains(meteringUrl.toString());
                assertThat(body.get("checks").get("usage").asText()).contains(meteringUrl.toString());
            });
            // The management listener's /readyz answers the same checks, the outage among them (tester 13B: it
            // said only services and scaling, so an operator scraping management ports saw nothing).
            assertSameReadiness(base, management);

            metering = startMetering(config);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                HttpResponse<String> ready = get(base + "/readyz");
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(ready.body()).get("checks").get("usage").asText()).isEqualTo("ok");
                assertThat(JSON.readTree(ready.body()).has("degraded")).isFalse();
            });
            assertSameReadiness(base, management);
        } finally {
            metering.close();
        }
    }

    /**
     * Tester 15A, finding 4: a process without a gateway (here a dispatcher, as {@code ferry dispatcher} runs it) said
     * ready on its management {@code /readyz} through a whole broker outage: nothing it did failed while its polls
     * waited on a broker that did not answer. It now asks the cluster as the gateway does.
     */
    @Test
    @Order(4)
    void shouldSayADispatcherProcessIsNotReadyWhileItsBrokerIsGone() throws Exception {
        DevEnvironment env = dev.get(3, TimeUnit.MINUTES);
        EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafka.Options.defaults()
                .dataDir(dataDir.resolve("outage-kafka")));
        Platform dispatcher = null;
        boolean brokerGone = false;
        try {
            Map<String, Object> settings = new HashMap<>();
            settings.put(FerryConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            settings.put(FerryConfig.SCHEMA_REGISTRY_URL,
                    String.join(",", env.platform().config().schemaRegistryUrls()));
            settings.put(FerryConfig.TOPIC_PREFIX, "outage.");
            settings.put("management.port", 0);
            dispatcher = Platform.start(new FerryConfig(settings), EnumSet.of(Platform.Role.DISPATCHER), null,
                    new PrintWriter(new StringWriter()));
            String management = "http://localhost:" + dispatcher.managementPort();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> ready = get(management + "/readyz");
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(ready.body()).path("checks").path("kafka").asText()).isEqualTo("ok");
            });

            broker.close();
            brokerGone = true;
            awaitNotReady(management, "Kafka");
        } finally {
            if (!brokerGone) {
                broker.close();
            }
            if (dispatcher != null) {
                dispatcher.close();
            }
        }
    }

    private static Platform startMetering(FerryConfig config) {
        return Platform.start(config, EnumSet.of(Platform.Role.METERING), null, new PrintWriter(new StringWriter()));
    }

    /**
     * The public and the management {@code /readyz} of one gateway process agree: status, every check by name and
     * the degraded list. Retried briefly: the usage check is asked afresh every 2 s, and the words of a failure
     * (refused, timed out) may change between two probes.
     */
    private static void assertSameReadiness(String base, String management) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> publicReady = get(base + "/readyz");
            HttpResponse<String> managementReady = get(management + "/readyz");
            assertThat(managementReady.statusCode()).isEqualTo(publicReady.statusCode());
            assertThat(JSON.readTree(managementReady.body())).isEqualTo(JSON.readTree(publicReady.body()));
        });
    }

    /** Waits for a 503 in the error shape whose error names each of {@code mentions}. */
    private static void awaitNotReady(String base, String... mentions) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> ready = get(base + "/readyz");
            assertThat(ready.statusCode()).isEqualTo(503);
            JsonNode body = JSON.readTree(ready.body());
            assertThat(body.get("code").asText()).isEqualTo("not_ready");
            assertThat(body.get("error").asText()).contains(mentions);
        });
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

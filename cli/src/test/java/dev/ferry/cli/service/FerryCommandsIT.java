package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.cli.Ferry;
import dev.ferry.embedded.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
 * {@code ferry dev} on its embedded default (a persistent broker in a data directory), and the client commands a
 * user runs against it: invoke, deploy, functions, usage, top, trigger. The last test restarts dev on the same directory.
 */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FerryCommandsIT {

    @TempDir
    static Path dataDir;

    private static DevEnvironment dev;
    private static String url;

    record Run(int exit, String out, String err) {
    }

    static DevEnvironment startDev() {
        DevOptions options = new DevOptions();
        new CommandLine(options).parseArgs("--data-dir", dataDir.toString(), "--port", "0", "--kafka-port", "0",
                "--registry-port", "0", "--set", "metering.http.port=0", "--set", "management.port=0", "--usage-window", "2s", "--usage-grace", "1s");
        return DevEnvironment.start(options.settings(), new PrintWriter(new StringWriter()));
    }

    @BeforeAll
    static void start() {
        dev = startDev();
        url = "http://localhost:" + dev.platform().gatewayPort();
    }

    @AfterAll
    static void stop() {
        if (dev != null) {
            dev.close();
        }
    }

    /** Runs a command that talks to Kafka itself, pointed at dev's broker. */
    static Run kafkaCommand(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", dev.kafka().bootstrapServers()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Ferry.execute(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** Runs a client command the way a user on this machine would: the dev key is found in the data dir. */
    static Run ferry(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", url, "--data-dir", dataDir.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Ferry.execute(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    @Order(1)
    void shouldPrintTheOutputWhenInvokingEcho() throws Exception {
        assertThat(Files.readString(dataDir.resolve("api-key")).trim()).isEqualTo(dev.apiKey()).startsWith("ferry_");

        Run run = ferry("invoke", "echo", "--data", "hi");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("hi\n");
    }

    /**
     * Tester findings, sessions 21 and 22: dev lets HTTP functions call loopback, and a tenant's function read the
     * management listener's /metrics, called the registry and the metering API, and reached the broker's controller
     * listener, which no setting names. Every port of the process is refused at deploy, with no allowlist to open it.
     */
    @Test
    @Order(2)
    void shouldRefuseAnHttpFunctionOnAnyPortDevItselfListensOn() {
        List<String> listeners = new ArrayList<>(List.of(dev.kafka().bootstrapServers(),
                dev.kafka().bootstrapControllers(), "localhost:" + dev.platform().gatewayPort(),
                "localhost:" + dev.platform().managementPort(), "localhost:" + dev.platform().meteringUrl().getPort(),
                "localhost:" + java.net.URI.create(dev.platform().config().schemaRegistryUrls().get(0)).getPort()));
        for (String listener : listeners) {
            String handler = "http://127.0.0.1:" + org.apache.kafka.common.utils.Utils.getPort(listener) + "/";
            Run deploy = ferry("deploy", "inward", "--runtime", "HTTP", "--handler", handler);
            assertThat(deploy.exit()).as(handler).isNotZero();
            assertThat(deploy.err()).as(handler).contains("where Ferry itself listens").doesNotContain("can allow");
        }
        assertThat(ferry("deploy", "outward", "--runtime", "HTTP", "--handler", "http://127.0.0.1:9/").exit())
                .as("dev still allows loopback").isZero();
        assertThat(ferry("functions", "delete", "outward").exit()).isZero();
    }

    @Test
    @Order(2)
    void shouldDeployAFunctionThatThenListsAndRuns() {
        Run deploy = ferry("deploy", "count", "--handler", "wordcount", "--memory", "256", "--timeout", "10s");
        assertThat(deploy.exit()).as(deploy.err()).isZero();
        assertThat(deploy.out()).contains("deployed count").contains("256 MB").contains("timeout 10000 ms");

        Run list = ferry("functions");
        assertThat(list.out()).containsPattern("(?m)^count\\s+JAVA\\s+wordcount\\s+256\\s+QUEUE")
                .containsPattern("(?m)^echo\\s+JAVA\\s+echo");

        Run invoke = ferry("invoke", "count", "--data", "to be or not to be");
        assertThat(invoke.out()).contains("\"words\":6");
    }

    @Test
    @Order(3)
    void shouldExitNonZeroWithTheErrorWhenTheFunctionFailsOrTheInputIsBad() {
        Run fail = ferry("invoke", "fail", "--data", "x");
        assertThat(fail.exit()).isEqualTo(1);
        assertThat(fail.err()).startsWith("ferry: FAILED").contains("502");

        Run badDeploy = ferry("deploy", "Bad_Name", "--handler", "echo");
        assertThat(badDeploy.exit()).isEqualTo(1);
        assertThat(badDeploy.err()).startsWith("ferry: ").contains("400");

        Run badTimeout = ferry("deploy", "x", "--handler", "echo", "--timeout", "soon");
        assertThat(badTimeout.exit()).isEqualTo(2);
        assertThat(badTimeout.err()).contains("--timeout expects a duration");
    }

    @Test
    @Order(4)
    void shouldShowReplicasAndLagInTopAndBilledUsageOnceTheWindowCloses() {
        for (int i = 0; i < 5; i++) {
            assertThat(ferry("invoke", "echo", "--data", "bill me").exit()).isZero();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Run top = ferry("top", "--once");
            assertThat(top.exit()).as(top.err()).isZero();
            assertThat(top.out()).containsPattern("(?m)^echo\\s+[1-9]\\d*\\s+\\d+\\s+\\d+");
        });
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            Run usage = ferry("usage", "--function", "echo");
            assertThat(usage.exit()).as(usage.err()).isZero();
            assertThat(usage.out()).containsPattern("(?m)^echo\\s+\\S+\\s+[1-9]");
            assertThat(usage.out()).containsPattern("total: ([6-9]|\\d\\d+) invocations, cost 0\\.\\d+");
        });
    }

    @Test
    @Order(5)
    void shouldShowEveryServiceOfTheProcessOnTheManagementListenersMetrics() throws Exception {
        assertThat(ferry("invoke", "echo", "--data", "measure me").exit()).isZero();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        // Issue 12: the public gateway port shows no tenant labels; the management listener (loopback) does.
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        java.net.http.HttpResponse<String> metrics = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + dev.platform().managementPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(metrics.body())
                .contains("ferry_dispatcher_records_total{outcome=\"routed\"}")
                .containsPattern("ferry_worker_attempts_total\\{function=\"echo\",outcome=\"succeeded\",tenant=\"default\"} [1-9]")
                .contains("ferry_worker_replicas{function=\"echo\",tenant=\"default\"}")
                .contains("ferry_invocation_latency_seconds_bucket{function=\"echo\",tenant=\"default\"")
                .contains("ferry_function_lag{function=\"echo\",tenant=\"default\"}")
                .contains("jvm_memory_used_bytes");
    }

    /** DESIGN, "Triggers": dev's tenant may use any topic but Ferry's own, with no tenants-file editing. */
    @Test
    @Order(6)
    void shouldLetDevsTenantCreateATriggerOnAnyTopicButFerrysOwn() throws Exception {
        // The source topic the way the README's walkthrough makes it: kcat cannot create topics.
        Run topic = kafkaCommand("topic", "create", "orders", "--partitions", "2");
        assertThat(topic.exit()).as(topic.err()).isZero();
        assertThat(topic.out()).isEqualTo("created topic orders (2 partitions)\n");
        assertThat(kafkaCommand("topic", "create", "orders").out()).isEqualTo("kept existing topic orders (2 partitions)\n");
        Run own = kafkaCommand("topic", "create", "ferry.mine");
        assertThat(own.exit()).isEqualTo(2);
        assertThat(own.err()).contains("'ferry.mine' is one of Ferry's own topics");
        Run internal = kafkaCommand("topic", "create", "_schemas-copy");
        assertThat(internal.exit()).isEqualTo(2);
        assertThat(internal.err()).contains("internal to Kafka");

        Run created = ferry("trigger", "create", "paid", "--function", "echo", "--topic", "orders",
                "--destination", "orders-paid", "--format", "JSON");
        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).startsWith("created trigger paid: orders -> echo -> orders-paid");
        assertThat(ferry("trigger", "list").out()).containsPattern("(?m)^paid\\s+echo\\s+orders\\s+orders-paid");

        Run platform = ferry("trigger", "create", "loop", "--function", "echo", "--topic", "ferry.results");
        assertThat(platform.exit()).isEqualTo(1);
        assertThat(platform.err()).contains("'ferry.results' is one of Ferry's own topics").contains("403");
    }

    /** Tester's report: a deploy of an existing function reset every option left out (and 409'd ORDERED ones). */
    @Test
    @Order(7)
    void shouldKeepTheCurrentValuesOfOptionsLeftOutWhenDeployUpdatesAFunction() throws Exception {
        Run first = ferry("deploy", "ledger", "--handler", "echo", "--delivery", "ORDERED", "--partitions", "12",
                "--max-replicas", "12", "--env", "REGION=eu");
        assertThat(first.exit()).as(first.err()).isZero();

        Run memory = ferry("deploy", "ledger", "--memory", "256");
        assertThat(memory.exit()).as(memory.err()).isZero();
        assertThat(memory.out()).contains("deployed ledger: JAVA echo, 256 MB").contains("ORDERED");
        com.fasterxml.jackson.databind.JsonNode shown = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(ferry("functions", "show", "ledger").out());
        assertThat(shown.path("memoryMb").asInt()).isEqualTo(256);
        assertThat(shown.path("maxReplicas").asInt()).isEqualTo(12);
        assertThat(shown.path("partitions").asInt()).isEqualTo(12);
        assertThat(shown.path("delivery").asText()).isEqualTo("ORDERED");
        assertThat(shown.path("env").path("REGION").asText()).isEqualTo("eu");

        Run handlerOnly = ferry("deploy", "ledger", "--handler", "wordcount");
        assertThat(handlerOnly.exit()).as(handlerOnly.err()).isZero();
        assertThat(ferry("functions", "show", "ledger").out()).contains("\"handler\" : \"wordcount\"")
                .contains("\"memoryMb\" : 256");

        Run missingHandler = ferry("deploy", "nosuch", "--memory", "256");
        assertThat(missingHandler.exit()).isEqualTo(2);
        assertThat(missingHandler.err()).contains("--handler is required");
    }

    @Test
    @Order(8)
    void shouldKeepFunctionsAndTheKeyWhenDevRestartsOnTheSameDataDir() {
        String key = dev.apiKey();
        dev.close();
        dev = startDev();
        url = "http://localhost:" + dev.platform().gatewayPort();

        assertThat(dev.apiKey()).isEqualTo(key);
        assertThat(ferry("functions").out()).containsPattern("(?m)^count\\s+JAVA\\s+wordcount");
        assertThat(ferry("invoke", "echo", "--data", "again").out()).isEqualTo("again\n");
    }

    /**
     * Session 10, item 1: a SIGKILL left transactions open that no coordinator would ever end, and dev's
     * read_committed readers (metering, result tails) stopped at them for good. Made here by a transaction left open
     * on ferry.results while the broker is stopped, then the coordinator's state removed.
     */
    @Test
    @Order(9)
    void shouldAbortATransactionACrashLeftOpenWhenDevRestarts() throws Exception {
        dev.close();
        dev = null;
        TopicPartition results = new TopicPartition("ferry.results", 0);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults()
                .dataDir(dataDir.resolve("kafka")))) {
            KafkaProducer<byte[], byte[]> crashed = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ferry-trigger.default.crashed",
                    ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000),
                    new ByteArraySerializer(), new ByteArraySerializer());
            crashed.initTransactions();
            crashed.beginTransaction();
            crashed.send(new ProducerRecord<>(results.topic(), results.partition(), null, new byte[1])).get();
            kafka.close();
            crashed.close(Duration.ZERO);
        }
        try (Stream<Path> logs = Files.list(dataDir.resolve("kafka").resolve("kafka"))) {
            for (Path dir : logs.filter(d -> d.getFileName().toString().startsWith("__transaction_state-")).toList()) {
                try (Stream<Path> tree = Files.walk(dir)) {
                    tree.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }

        dev = startDev();
        url = "http://localhost:" + dev.platform().gatewayPort();

        assertThat(ferry("invoke", "echo", "--data", "after").out()).isEqualTo("after\n");
        try (KafkaConsumer<byte[], byte[]> committed = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, dev.kafka().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaConsumer<byte[], byte[]> everything = new KafkaConsumer<>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, dev.kafka().bootstrapServers()),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            // A read_committed reader's end (the last stable offset) reaches the log's end again.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(committed.endOffsets(List.of(results)).get(results))
                            .isEqualTo(everything.endOffsets(List.of(results)).get(results)));
        }
    }
}


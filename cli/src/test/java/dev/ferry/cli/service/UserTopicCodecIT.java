package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.topics.TopicCatalog;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
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
 * Any mainstream Kafka client reads what Ferry writes (issue 12 part 3): after real traffic through {@code ferry dev}
 * (results, a dead letter, usage windows), every batch of the topics users read is stored uncompressed or gzip, as
 * the broker's own log segments show, and plain kafkajs, which decodes no other codec without a plugin, reads every
 * record of them.
 */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UserTopicCodecIT {

    private static final Set<CompressionType> EVERY_CLIENT_DECODES = EnumSet.of(CompressionType.NONE,
            CompressionType.GZIP);
    private static final Path KAFKAJS_DIR = Path.of("src/test/node");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;

    private static DevEnvironment dev;
    private static TopicCatalog topics;

    @BeforeAll
    static void start() {
        DevOptions options = new DevOptions();
        new CommandLine(options).parseArgs("--data-dir", dataDir.toString(), "--port", "0", "--kafka-port", "0",
                "--registry-port", "0", "--set", "metering.http.port=0", "--set", "management.port=0", "--usage-window", "2s", "--usage-grace", "1s");
        dev = DevEnvironment.start(options.settings(), new PrintWriter(new StringWriter()));
        topics = new TopicCatalog(dev.platform().config());
    }

    @AfterAll
    static void stop() {
        if (dev != null) {
            dev.close();
        }
    }

    @Test
    @Order(1)
    void shouldStoreEveryBatchUsersReadUncompressedOrGzipWhenRealTrafficRan() throws Exception {
        assertThat(call("PUT", "/v1/functions/fail", "{\"runtime\": \"JAVA\", \"handler\": \"fail\", \"maxAttempts\": 1}")
                .statusCode()).isIn(200, 201);
        assertThat(call("POST", "/v1/functions/fail/invoke", "boom").statusCode()).isEqualTo(502); // to the DLQ
        // Each call's result also moves metering's stream time on, so usage windows close and reach ferry.usage.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(call("POST", "/v1/functions/echo/invoke", "hi").statusCode()).isEqualTo(200);
            Map<String, List<CompressionType>> batches = batchesOfUserTopics();
            for (String topic : topics.userTopics()) {
                assertThat(batches.get(topic)).as("batches of %s", topic).isNotEmpty();
            }
        });
        batchesOfUserTopics().forEach((topic, codecs) -> assertThat(codecs).as(topic)
                .allMatch(EVERY_CLIENT_DECODES::contains));
    }

    @Test
    @Order(2)
    void shouldLetPlainKafkajsReadEveryRecordOfTheTopicsUsersRead() throws Exception {
        Assumptions.assumeTrue(runs("node", "--version"),
                "node is not installed here: the kafkajs check runs where node is (.ci/run installs it)");
        if (!Files.isDirectory(KAFKAJS_DIR.resolve("node_modules/kafkajs"))) {
            assertThat(run(KAFKAJS_DIR, Duration.ofMinutes(3), "npm", "install", "--no-audit", "--no-fund").exit())
                    .as("npm install kafkajs in " + KAFKAJS_DIR).isZero();
        }
        List<String> command = new ArrayList<>(List.of("node", "read-topics.js",
                dev.platform().config().bootstrapServers(), "90"));
        for (String topic : topics.userTopics()) {
            long committed = records(topic);
            assertThat(committed).as("records of %s", topic).isPositive();
            command.add(topic + "=" + committed);
        }
        Run reader = run(KAFKAJS_DIR, Duration.ofMinutes(2), command.toArray(String[]::new));
        assertThat(reader.exit()).as(reader.output()).isZero();
    }

    /** The compression type of every batch of each topic users read, from the broker's log segments. */
    private static Map<String, List<CompressionType>> batchesOfUserTopics() throws IOException {
        Map<String, List<CompressionType>> codecs = new HashMap<>();
        for (String topic : topics.userTopics()) {
            codecs.put(topic, codecsOf(topic));
        }
        return codecs;
    }

    /** Committed records of a topic, as a Java consumer (which decodes every codec) reads them now. */
    private static long records(String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, dev.platform().config().bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long count = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                count += consumer.poll(Duration.ofMillis(500)).count();
            }
            return count;
        }
    }

    private static List<CompressionType> codecsOf(String topic) throws IOException {
        List<CompressionType> codecs = new ArrayList<>();
        // The broker's log directories, one per partition (<topic>-<n>), somewhere under the data directory.
        try (Stream<Path> dirs = Files.walk(dataDir, 4)) {
            for (Path partition : dirs.filter(Files::isDirectory).filter(d -> d.getFileName().toString().matches(
                    java.util.regex.Pattern.quote(topic) + "-\\d+")).toList()) {
                try (Stream<Path> files = Files.list(partition)) {
                    for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                        File file = log.toFile();
                        try (FileRecords records = FileRecords.open(file, false)) {
                            for (FileChannelRecordBatch batch : records.batches()) {
                                codecs.add(batch.compressionType()); // read while the file is open
                            }
                        }
                    }
                }
            }
        }
        return codecs;
    }

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + dev.platform().gatewayPort()
                        + path))
                .header("Authorization", "Bearer " + dev.apiKey())
                .timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    record Run(int exit, String output) {
    }

    private static boolean runs(String... command) {
        try {
            return run(Path.of("."), Duration.ofSeconds(30), command).exit() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static Run run(Path dir, Duration limit, String... command) throws IOException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return new Run(-1, "timed out: " + String.join(" ", command));
            }
            return new Run(process.exitValue(),
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return new Run(-1, "interrupted");
        }
    }
}

package dev.ferry.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionPublisher;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.ingest.client.FerryClient;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka-native Java client against the real pipeline, without any gateway. */
@FerryKafkaTest
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FerryClientIT {

    @TempDir
    static Path dir;

    private static FerryConfig config;
    private static Platform platform;

    @BeforeAll
    static void start(KafkaFixture kafka) {
        config = Platform.config(kafka, dir.resolve("tenants.json"));
        platform = Platform.start(config);
        try (FunctionPublisher publisher = new FunctionPublisher(new KafkaClients(config), new TopicCatalog(config),
                new AvroSerdes(config).serializer(FunctionSpec.class))) {
            publisher.deploy(FunctionSpecs.builder("acme", "echo", Runtime.JAVA, "echo").setConcurrency(16).build());
            publisher.deploy(FunctionSpecs.builder("acme", "fail", Runtime.JAVA, "fail").setMaxAttempts(2).build());
            publisher.deploy(FunctionSpecs.builder("acme", "missing", Runtime.JAVA, "com.example.NoSuchFunction")
                    .setTimeoutMs(30_000).setMaxAttempts(3).build());
        }
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    private FerryClient client() {
        return FerryClient.builder()
                .bootstrapServers(config.bootstrapServers())
                .schemaRegistryUrl(config.schemaRegistryUrls().get(0))
                .topicPrefix(config.topicPrefix())
                .kafkaProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
                .tenant("acme")
                .build();
    }

    @Test
    void shouldRoundTripAThousandInvocationsWhenCalledConcurrently() {
        try (FerryClient ferry = client()) {
            List<CompletableFuture<InvocationResult>> calls = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                calls.add(ferry.invoke("echo", ("n" + i).getBytes(StandardCharsets.UTF_8)));
            }

            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).orTimeout(90, TimeUnit.SECONDS).join();
            for (int i = 0; i < calls.size(); i++) {
                InvocationResult result = calls.get(i).join();
                assertThat(result.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED);
                assertThat(StandardCharsets.UTF_8.decode(result.getOutput()).toString()).isEqualTo("n" + i);
            }
        }
    }

    @Test
    void shouldCompleteWithTheFinalAttemptWhenTheFunctionFails() {
        try (FerryClient ferry = client()) {
            InvocationResult result = ferry.invoke("acme", "fail", new byte[0]).orTimeout(60, TimeUnit.SECONDS).join();

            assertThat(result.getStatus()).isEqualTo(InvocationStatus.FAILED);
            assertThat(result.getAttempt()).isEqualTo(2);
        }
    }

    @Test
    void shouldCompleteWithTheFirstAttemptWhenTheResultSaysItIsFinal() {
        // The client knows neither maxAttempts (3) nor timeoutMs (30 s) of the function: the result says it is final.
        try (FerryClient ferry = client()) {
            InvocationResult result = ferry.invoke("acme", "missing", new byte[0])
                    .orTimeout(25, TimeUnit.SECONDS).join();

            assertThat(result.getStatus()).isEqualTo(InvocationStatus.FAILED);
            assertThat(result.getAttempt()).isEqualTo(1);
            assertThat(result.getFinal$()).isTrue();
            assertThat(result.getReasonCode()).isEqualTo("function_unavailable");
        }
    }

    @Test
    void shouldReturnTheIdWhoseResultAnyConsumerCanReadWhenInvokedAsynchronously() {
        TopicCatalog topics = new TopicCatalog(config);
        try (FerryClient ferry = client();
                KafkaConsumer<String, InvocationResult> results = new KafkaClients(config).consumer(null, "reader",
                        new StringDeserializer(), new AvroSerdes(config).deserializer(InvocationResult.class),
                        Map.of())) {
            List<TopicPartition> partitions = results.partitionsFor(topics.results()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            results.assign(partitions);
            results.seekToEnd(partitions);
            partitions.forEach(results::position);

            String id = ferry.invokeAsync("echo", "fire and forget".getBytes(StandardCharsets.UTF_8));

            List<InvocationResult> mine = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                results.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key().equals(id)) {
                        mine.add(r.value());
                    }
                });
                return !mine.isEmpty();
            });
            assertThat(mine.get(0).getStatus()).isEqualTo(InvocationStatus.SUCCEEDED);
            assertThat(StandardCharsets.UTF_8.decode(mine.get(0).getOutput()).toString()).isEqualTo("fire and forget");
        }
    }

    @Test
    void shouldCarryTheCallersKeyAndContentTypeWhenGivenARequest() {
        try (FerryClient ferry = client()) {
            InvocationResult result = ferry.invoke(ferry.request("acme", "echo", "{}".getBytes(StandardCharsets.UTF_8))
                    .setKey("user-7").setContentType("application/json").build()).orTimeout(30, TimeUnit.SECONDS).join();

            assertThat(result.getStatus()).isEqualTo(InvocationStatus.SUCCEEDED);
            assertThat(result.getContentType()).isEqualTo("application/json");
        }
    }

    @Test
    void shouldFailTheFutureWhenTheRequestCannotBeSent() {
        try (FerryClient broken = FerryClient.builder()
                .bootstrapServers(config.bootstrapServers())
                .schemaRegistryUrl("http://localhost:1")
                .topicPrefix(config.topicPrefix())
                .tenant("acme")
                .build()) {
            CompletableFuture<InvocationResult> result = broken.invoke("echo", new byte[0]);

            assertThat(result).failsWithin(Duration.ofSeconds(60));
        }
    }
}

package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 11, part 5: {@code ferry dev} stopped with SIGTERM in the middle of a steady load of synchronous and
 * asynchronous calls. Every caller hears a definitive answer (200, 202, a 503 refusal, or the 504 that names the
 * invocation to fetch later) or cannot connect at all; nothing the gateway produced to ferry.invocations is unknown
 * to its caller; after a restart every accepted invocation has its result; and the process exits 0.
 */
@Tag("integration")
@Tag("system") // two `ferry dev` starts under load (~45 s); a gateway stopped with calls in flight stays in mvn verify
// through GatewayInstancesIT, every service's SIGTERM under load through systest's rolling restart
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DevShutdownIT {

    private static final Logger log = LoggerFactory.getLogger(DevShutdownIT.class);
    private static final int CALLERS = 6;

    @TempDir
    Path dataDir;

    /** What one call came to. {@code id} is the invocation the gateway named, if any. */
    record Call(String kind, int status, String id, String code, String failure) {
        boolean refusedToConnect() {
            return "refused".equals(failure);
        }
    }

    @Test
    void shouldAnswerEveryCallerAndLoseNoAcceptedInvocationWhenDevIsStoppedUnderLoad() throws Exception {
        int gatewayPort = freePort();
        int kafkaPort = freePort();
        int registryPort = freePort();
        Process dev = startDev(gatewayPort, kafkaPort, registryPort, "first");
        String key;
        List<Call> calls = new CopyOnWriteArrayList<>();
        long stopMillis;
        try {
            awaitReady("first");
            key = Files.readString(dataDir.resolve("api-key")).trim();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                boolean sync = i % 2 == 0;
                Thread caller = new Thread(() -> callUntilRefused(gatewayPort, key, sync, running, calls),
                        "caller-" + i);
                caller.start();
                callers.add(caller);
            }
            // Both kinds of call answered, so the pools are up, is all the stop needs: the callers keep calling until
            // they are refused. Waiting for 30 of each only queued more 200 ms sleep calls, which the restarted dev
            // then had to run before the last check.
            await().atMost(Duration.ofSeconds(120)).until(() -> calls.stream().filter(c -> c.status() == 202)
                    .count() >= 10 && calls.stream().filter(c -> c.status() == 200).count() >= 10);

            long stopBegan = System.nanoTime();
            dev.destroy();
            assertThat(dev.waitFor(90, TimeUnit.SECONDS)).as("dev stops after SIGTERM").isTrue();
            stopMillis = (System.nanoTime() - stopBegan) / 1_000_000;
            running.set(false);
            for (Thread caller : callers) {
                caller.join(30_000);
            }
        } finally {
            dev.destroyForcibly().waitFor();
        }
        log.info("ferry dev stopped {} ms after SIGTERM; calls by outcome: {}", stopMillis, calls.stream()
                .collect(Collectors.groupingBy(c -> c.kind() + " " + (c.failure() != null ? c.failure()
                        : c.status() + " " + c.code()), Collectors.counting())));

        assertThat(dev.exitValue()).as("exit status after SIGTERM").isZero();
        assertThat(calls).as("every caller heard a definitive answer or could not connect").allSatisfy(call -> {
            if (call.failure() != null) {
                assertThat(call.refusedToConnect()).as(call.toString()).isTrue();
            } else {
                assertThat(call.status()).as(call.toString()).isIn(200, 202, 503, 504);
                if (call.status() == 503) {
                    assertThat(call.code()).as(call.toString()).isEqualTo("shutting_down");
                } else {
                    assertThat(call.id()).as(call.toString()).isNotBlank();
                }
            }
        });
        assertThat(calls).as("the gateway refused calls while it drained")
                .anySatisfy(call -> assertThat(call.status()).isEqualTo(503));

        Set<String> answered = calls.stream().filter(c -> c.id() != null).map(Call::id).collect(Collectors.toSet());
        Set<String> accepted = calls.stream().filter(c -> c.status() == 202 || c.status() == 504).map(Call::id)
                .collect(Collectors.toSet());
        Process again = startDev(gatewayPort, kafkaPort, registryPort, "second");
        try {
            awaitReady("second");
            FerryConfig config = new FerryConfig(Map.of(FerryConfig.BOOTSTRAP_SERVERS, "localhost:" + kafkaPort,
                    FerryConfig.SCHEMA_REGISTRY_URL, "http://localhost:" + registryPort));
            AvroSerdes serdes = new AvroSerdes(config);
            List<InvocationRequest> produced = readAll(config, "ferry.invocations",
                    serdes.deserializer(InvocationRequest.class));
            assertThat(produced).as("invocations the gateway produced").isNotEmpty();
            assertThat(produced).as("every produced invocation was named to its caller")
                    .allSatisfy(request -> assertThat(answered).contains(request.getInvocationId()));
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Set<String> withResult = new HashSet<>();
                readAll(config, "ferry.results", serdes.deserializer(InvocationResult.class))
                        .forEach(r -> withResult.add(r.getInvocationId()));
                assertThat(withResult).as("accepted invocations with a result after the restart")
                        .containsAll(accepted);
            });
        } finally {
            again.destroy();
            if (!again.waitFor(90, TimeUnit.SECONDS)) {
                again.destroyForcibly().waitFor();
            }
        }
    }

    /** Calls in a loop until the gateway refuses or gives up (503, 504) or cannot be reached. */
    private static void callUntilRefused(int port, String key, boolean sync, AtomicBoolean running, List<Call> calls) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String kind = sync ? "sync" : "async";
        URI uri = URI.create("http://localhost:" + port + "/v1/functions/"
                + (sync ? "echo/invoke" : "sleep/invocations"));
        while (running.get()) {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString(sync ? "hello" : "{\"ms\": 200}")).build();
            Call call;
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                String code = response.body().contains("\"code\"")
                        ? response.body().replaceAll("(?s).*\"code\"\\s*:\\s*\"([^\"]*)\".*", "$1") : "";
                call = new Call(kind, response.statusCode(),
                        response.headers().firstValue("Ferry-Invocation-Id").orElse(null), code, null);
            } catch (ConnectException e) {
                call = new Call(kind, 0, null, "", "refused");
            } catch (IOException e) {
                call = new Call(kind, 0, null, "", "lost: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            calls.add(call);
            // A 503 refusal, or a 504 that the gateway stopped waiting, sends a real client elsewhere.
            if (call.status() == 503 || call.status() == 504 || call.failure() != null) {
                return;
            }
        }
    }

    private static <T> List<T> readAll(FerryConfig config, String topic, Deserializer<T> deserializer) {
        List<T> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaClients(config).consumer(null, "shutdown-it-" + topic,
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    all.add(deserializer.deserialize(record.topic(), record.headers(), record.value()));
                }
            }
        }
        return all;
    }

    private Process startDev(int gatewayPort, int kafkaPort, int registryPort, String run) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        File output = dataDir.resolveSibling(dataDir.getFileName() + "-" + run + ".log").toFile();
        return new ProcessBuilder(java, "-Xmx768m", "-cp", System.getProperty("java.class.path"),
                "dev.ferry.cli.Ferry", "dev", "--data-dir", dataDir.toString(), "--port", String.valueOf(gatewayPort),
                "--kafka-port", String.valueOf(kafkaPort), "--registry-port", String.valueOf(registryPort),
                "--set", "metering.http.port=0", "--set", "management.port=0")
                .redirectErrorStream(true).redirectOutput(output).start();
    }

    private void awaitReady(String run) {
        Path output = dataDir.resolveSibling(dataDir.getFileName() + "-" + run + ".log");
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .until(() -> Files.exists(output) && Files.readString(output).contains("Ferry dev is ready"));
        log.info("dev ({} run) is ready", run);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

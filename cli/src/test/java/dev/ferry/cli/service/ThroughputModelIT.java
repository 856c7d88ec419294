package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.Ferry;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.ingest.Quota;
import dev.ferry.ingest.TenantAdmin;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The throughput model on the real platform (issue 17): dispatcher, worker pools, autoscaler and gateway on the
 * embedded broker. A {@code sleep} of 100 ms with concurrency 4 on 2 replicas has {@code P = 1/0.1 s = 10/s} per
 * slot and a capacity of {@code 2 · 4 · 10 = 80/s}; 40 requests/s use half of it. The machine is shared and
 * loaded, so the bounds are generous: a run time stretched by load lowers capacity, and arrival is sampled.
 */
@FerryKafkaTest
// Load-driven (40 calls/s for seconds): the model's arithmetic is ThroughputModelTest, throughput is the bench's.
@Tag("system")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ThroughputModelIT {

    private static final Logger log = LoggerFactory.getLogger(ThroughputModelIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LOAD_PER_SECOND = 40;

    @TempDir
    static Path dir;

    private static Platform platform;
    private static String key;
    private static String base;
    private static GatewayCalls gateway;

    @BeforeAll
    static void start(KafkaFixture kafka) {
        // Room for every call in flight: on a loaded machine the pool may fall behind, and the in-flight quota
        // (100 by default) would then turn the 40/s away; this test is about the model, not the quota.
        key = new TenantAdmin(dir.resolve("tenants.json")).createTenant("acme",
                new Quota(null, null, 100_000, null, null));
        Map<String, Object> settings = new HashMap<>();
        settings.put(FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl());
        settings.put(FerryConfig.TOPIC_PREFIX, "t" + UUID.randomUUID().toString().substring(0, 8) + ".");
        settings.put("gateway.port", 0);
        settings.put("management.port", 0);
        settings.put("gateway.tenants.file", dir.resolve("tenants.json").toString());
        settings.put("autoscaler.poll.ms", 1000L);
        platform = Platform.start(new FerryConfig(settings), EnumSet.of(Platform.Role.DISPATCHER,
                Platform.Role.WORKER, Platform.Role.AUTOSCALER, Platform.Role.GATEWAY), null,
                new PrintWriter(new StringWriter()));
        base = "http://localhost:" + platform.gatewayPort();
        gateway = new GatewayCalls(base, key, Duration.ofSeconds(30));
        HttpResponse<String> deployed = call("PUT", "/v1/functions/sleep", "{\"runtime\": \"JAVA\", \"handler\": "
                + "\"sleep\", \"concurrency\": 4, \"minReplicas\": 2, \"maxReplicas\": 2, \"timeoutMs\": 10000}");
        assertThat(deployed.statusCode()).as(deployed.body()).isIn(200, 201);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void shouldShowACapacityOf80AndAUtilizationOfAHalfWhenTwoReplicasOfFourSlotsRun100MsCallsAt40PerSecond()
            throws Exception {
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicReference<String> firstRefusal = new AtomicReference<>();
        // Bounded: the test's own timeout ends it at the latest, and the finally block at once when figures settle.
        load.scheduleAtFixedRate(() -> gateway.callAsync("POST", "/v1/functions/sleep/invocations",
                "{\"ms\": 100}").thenAccept(r -> {
                    if (r.statusCode() == 202) {
                        accepted.incrementAndGet();
                    } else {
                        refused.incrementAndGet();
                        firstRefusal.compareAndSet(null, r.statusCode() + " " + r.body());
                    }
                }), 0, 1000 / LOAD_PER_SECOND, TimeUnit.MILLISECONDS);
        try {
            // Not before the gateway's 10 s rate window is full of load: a ramp-up would read as a lower arrival.
            await().pollDelay(Duration.ofSeconds(12)).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(ThroughputModelIT::assertModelSettled);
            log.info("Settled: {}", call("GET", "/v1/functions/sleep", null).body());
        } finally {
            load.shutdownNow();
        }
        assertThat(refused.get()).as("every invocation was accepted; first refusal: " + firstRefusal.get()).isZero();
        assertThat(accepted.get()).isPositive();

        // The gauges are on the management listener (loopback, no token): the public port serves no /metrics.
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + platform.managementPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("ferry_function_capacity_per_second\\{function=\"sleep\",tenant=\"acme\"} ")
                .containsPattern("ferry_function_utilization\\{function=\"sleep\",tenant=\"acme\"} ");

        StringWriter out = new StringWriter();
        int exit = Ferry.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "functions", "--url", base, "--api-key", key);
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("CAPACITY/S").contains("UTIL").containsPattern("(?m)^sleep\\s.*%$");
        StringWriter top = new StringWriter();
        exit = Ferry.execute(new PrintWriter(top, true), new PrintWriter(new StringWriter(), true),
                "top", "--once", "--url", base, "--api-key", key);
        assertThat(exit).isZero();
        assertThat(top.toString()).contains("ARRIVAL/S").contains("CAPACITY/S").containsPattern("(?m)^sleep\\s.*%$");
    }

    /** The figures of a 100 ms sleep with 4 slots on 2 replicas under 40 calls/s, with room for a loaded machine. */
    private static void assertModelSettled() throws IOException {
        JsonNode fn = JSON.readTree(call("GET", "/v1/functions/sleep", null).body());
        JsonNode model = fn.get("model");
        assertThat(fn.get("replicas").asInt()).as(fn.toString()).isEqualTo(2);
        assertThat(model.get("width").asInt()).isEqualTo(1);
        assertThat(model.get("meanRunMs").asDouble()).as(model.toString()).isBetween(95.0, 200.0);
        assertThat(model.get("p95RunMs").asDouble()).isGreaterThanOrEqualTo(model.get("meanRunMs").asDouble());
        assertThat(model.get("capacityPerSecond").asDouble()).as(model.toString()).isBetween(60.0, 90.0);
        assertThat(model.get("arrivalRatePerSecond").asDouble()).as(model.toString()).isBetween(20.0, 60.0);
        // What the pool really completed: on a loaded machine it can fall short of the model (issue 17's
        // point in showing both), so only its presence is checked.
        assertThat(model.get("serviceRatePerSecond").asDouble()).as(model.toString()).isPositive();
        assertThat(model.get("utilization").asDouble()).as(model.toString()).isBetween(0.3, 0.7);
    }

    private static HttpResponse<String> call(String method, String path, String body) {
        return gateway.call(method, path, body);
    }
}

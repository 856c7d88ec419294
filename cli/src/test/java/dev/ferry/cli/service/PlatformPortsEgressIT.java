package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.config.ManagementConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.config.WorkerConfig;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.ingest.TenantAdmin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tester finding, session 21: in {@code ferry dev}, which allows loopback to HTTP functions, a tenant's function
 * read the management listener's {@code /metrics} and called the schema registry and the metering API. With the
 * same allowlist as {@code ferry dev} ({@code 127.0.0.0/8,::1}), a whole platform must refuse a handler on any of
 * its own ports, and still run one on another loopback port.
 */
@FerryKafkaTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PlatformPortsEgressIT {

    @TempDir
    Path dir;

    @Test
    void shouldRefuseHandlersOnThePlatformsOwnPortsWhereLoopbackIsAllowed(KafkaFixture kafka) throws Exception {
        TenantAdmin admin = new TenantAdmin(dir.resolve("tenants.json"));
        String key = admin.createTenant("acme");
        Map<String, Object> settings = new HashMap<>();
        settings.put(FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl());
        settings.put(FerryConfig.TOPIC_PREFIX, "egr" + Long.toHexString(System.nanoTime()) + ".");
        settings.put("topic.partitions", 1);
        settings.put(GatewayConfig.PORT, 0);
        settings.put(GatewayConfig.TENANTS_FILE, dir.resolve("tenants.json").toString());
        settings.put(MeteringConfig.HTTP_PORT, 0);
        settings.put(MeteringConfig.STATE_DIR, dir.resolve("metering").toString());
        settings.put(ManagementConfig.PORT, 0);
        settings.put(ManagementConfig.TOKEN, "operator-token-1");
        settings.put(WorkerConfig.HTTP_EGRESS_ALLOW, "127.0.0.0/8,::1"); // what ferry dev sets
        HttpServer helper = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        helper.createContext("/", exchange -> {
            byte[] answer = "helper-ok".getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        helper.start();
        try (Platform platform = Platform.start(new FerryConfig(settings), EnumSet.allOf(Platform.Role.class), null,
                new PrintWriter(new StringWriter()))) {
            GatewayCalls acme = new GatewayCalls("http://127.0.0.1:" + platform.gatewayPort(), key,
                    Duration.ofSeconds(30));

            // Control: loopback itself stays open, so the refusals below are about the ports.
            assertThat(acme.call("PUT", "/v1/functions/helper", "{\"runtime\": \"HTTP\", \"handler\": "
                    + "\"http://127.0.0.1:" + helper.getAddress().getPort() + "/run\"}").statusCode()).isEqualTo(201);
            HttpResponse<String> answer = await().atMost(Duration.ofSeconds(60)).until(
                    () -> acme.call("POST", "/v1/functions/helper/invoke", "hi"), r -> r.statusCode() != 404);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("helper-ok");

            List<String> ownPorts = List.of(
                    "http://127.0.0.1:" + platform.managementPort() + "/metrics",
                    "http://localhost:" + platform.gatewayPort() + "/v1/functions",
                    "http://[::1]:" + platform.meteringUrl().getPort() + "/v1/usage",
                    "http://127.0.0.2:" + URI.create(kafka.schemaRegistryUrl()).getPort() + "/subjects",
                    "http://localhost:" + Utils.getPort(kafka.bootstrapServers().split(",")[0]) + "/");
            for (String url : ownPorts) {
                HttpResponse<String> refused = acme.call("PUT", "/v1/functions/inward",
                        "{\"runtime\": \"HTTP\", \"handler\": \"" + url + "\"}");
                assertThat(refused.statusCode()).as(url).isEqualTo(400);
                assertThat(refused.body()).as(url).contains("invalid_function").contains("where Ferry itself listens")
                        .doesNotContain("can allow it");
            }
            assertThat(acme.call("GET", "/v1/functions/inward", null).statusCode()).isEqualTo(404);
        } finally {
            helper.stop(0);
        }
    }
}

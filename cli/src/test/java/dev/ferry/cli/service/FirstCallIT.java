package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.WorkProvisioner;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.ingest.TenantAdmin;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, part 2, on the real platform in one process (gateway, dispatcher, worker pools, autoscaler): a deploy
 * makes the function's work topic and share-group settings before it answers, and the first call of a function
 * whose pool is at zero replicas is answered although the autoscaler's regular collection and its quiet-pool check
 * come only every ten minutes: the dispatcher wakes the pool.
 */
@FerryKafkaTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FirstCallIT {


    @TempDir
    static Path dir;

    private static Platform platform;
    private static String key;
    private static String base;
    private static GatewayCalls gateway;

    @BeforeAll
    static void start(KafkaFixture kafka) {
        key = new TenantAdmin(dir.resolve("tenants.json")).createTenant("acme");
        Map<String, Object> settings = new HashMap<>();
        settings.put(FerryConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        settings.put(FerryConfig.SCHEMA_REGISTRY_URL, kafka.schemaRegistryUrl());
        settings.put(FerryConfig.TOPIC_PREFIX, "t" + UUID.randomUUID().toString().substring(0, 8) + ".");
        settings.put("gateway.port", 0);
        settings.put("management.port", -1);
        settings.put("gateway.tenants.file", dir.resolve("tenants.json").toString());
        settings.put("autoscaler.poll.ms", 600_000L);
        settings.put("autoscaler.quiet.check.ms", 600_000L);
        platform = Platform.start(new FerryConfig(settings), EnumSet.of(Platform.Role.DISPATCHER,
                Platform.Role.WORKER, Platform.Role.AUTOSCALER, Platform.Role.GATEWAY), null,
                new PrintWriter(new StringWriter()));
        base = "http://localhost:" + platform.gatewayPort();
        gateway = new GatewayCalls(base, key, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void shouldHaveTheWorkTopicAtDeployAndAnswerTheFirstCallOfAPoolAtZeroWithoutTheAutoscalersPoll()
            throws Exception {
        HttpResponse<String> deployed = call("PUT", "/v1/functions/greet", "{\"runtime\": \"JAVA\", \"handler\": "
                + "\"echo\", \"partitions\": 3, \"minReplicas\": 0, \"maxReplicas\": 2}");
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);

        TopicCatalog topics = platform.runtime().topics();
        FunctionRef ref = new FunctionRef("acme", "greet");
        String group = topics.workerGroup(ref);
        try (Admin admin = new KafkaClients(platform.config()).admin("first-call-it")) {
            // Right after the deploy answered, before any call: the topic, and the group's start at the earliest.
            TopicDescription work = admin.describeTopics(List.of(topics.work(ref))).allTopicNames()
                    .get(10, TimeUnit.SECONDS).get(topics.work(ref));
            assertThat(work.partitions()).hasSize(3);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
            Config config = admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
            assertThat(config.get(WorkProvisioner.SHARE_AUTO_OFFSET_RESET).value()).isEqualTo("earliest");
            assertThat(members(admin, group)).as("the pool is at zero replicas").isZero();
        }

        HttpResponse<String> answer = call("POST", "/v1/functions/greet/invoke", "hello");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("hello");
    }

    private static int members(Admin admin, String group) throws Exception {
        try {
            return admin.describeShareGroups(List.of(group)).describedGroups().get(group).get(10, TimeUnit.SECONDS)
                    .members().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }

    private static HttpResponse<String> call(String method, String path, String body) {
        return gateway.call(method, path, body);
    }
}

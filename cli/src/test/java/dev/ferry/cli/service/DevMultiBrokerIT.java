package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.cli.Ferry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
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
 * {@code ferry dev --brokers 3} (issue 15 part 1): Ferry's topics are replicated three times with two replicas in
 * sync, the banner says the cluster keeps nothing, and a synchronous invoke still answers after a broker is stopped.
 */
@Tag("integration")
@Tag("system") // long (three brokers); broker loss is also proven by MeteringBrokerLossIT and systest's broker case
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevMultiBrokerIT {

    @TempDir
    static Path dataDir;

    private static DevEnvironment dev;
    private static Admin admin;
    private static String url;

    @BeforeAll
    static void start() {
        DevOptions options = new DevOptions();
        new CommandLine(options).parseArgs("--brokers", "3", "--data-dir", dataDir.toString(), "--port", "0",
                "--registry-port", "0", "--set", "metering.http.port=0", "--set", "management.port=0");
        dev = DevEnvironment.start(options.settings(), new PrintWriter(new StringWriter()));
        url = "http://localhost:" + dev.platform().gatewayPort();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, dev.kafka().bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (dev != null) {
            dev.close();
        }
    }

    private static FerryCommandsIT.Run ferry(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--url", url, "--data-dir", dataDir.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Ferry.execute(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new FerryCommandsIT.Run(exit, out.toString(), err.toString());
    }

    @Test
    @Order(1)
    void shouldReplicateFerrysTopicsThreeTimesWithTwoInSyncWhenDevRunsThreeBrokers() throws Exception {
        FerryCommandsIT.Run run = ferry("invoke", "echo", "--data", "hi");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("hi\n");

        assertThat(admin.describeCluster().nodes().get()).hasSize(3);
        for (String topic : List.of("ferry.results", "ferry.invocations", "ferry.work.default.echo")) {
            TopicDescription described = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            assertThat(described.partitions()).as(topic).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get("min.insync.replicas").value()).as(topic).isEqualTo("2");
        }
    }

    @Test
    @Order(2)
    void shouldPrintTheRealBootstrapAddressAndThatNothingIsKept() {
        StringWriter banner = new StringWriter();
        DevCommand.banner(new PrintWriter(banner), dev, 1000);

        assertThat(banner.toString())
                .contains(dev.kafka().bootstrapServers() + " (3 brokers in memory: topics are not kept)")
                .contains("are gone at the next start")
                .contains("./ferry invoke echo --data hi --url http://localhost:" + dev.platform().gatewayPort())
                .doesNotContain("the data stays");
    }

    /**
     * A tester's HTTP function reached the controller's listener, which no setting names: dev allows loopback, and
     * only the ports in Ferry's configuration were refused. Every broker's and controller's port is refused now.
     */
    @Test
    @Order(2)
    void shouldRefuseAnHttpFunctionOnAnyBrokersOrControllersPort() throws Exception {
        GatewayCalls calls = new GatewayCalls(url, java.nio.file.Files.readString(dataDir.resolve("api-key")).trim(),
                Duration.ofSeconds(30));
        List<String> listeners = new java.util.ArrayList<>();
        listeners.addAll(List.of(dev.kafka().bootstrapControllers().split(",")));
        listeners.addAll(List.of(dev.kafka().bootstrapServers().split(",")));
        assertThat(listeners).hasSizeGreaterThanOrEqualTo(4);
        for (String listener : listeners) {
            String handler = "http://127.0.0.1:" + org.apache.kafka.common.utils.Utils.getPort(listener.trim()) + "/";
            java.net.http.HttpResponse<String> refused = calls.call("PUT", "/v1/functions/inward",
                    "{\"runtime\": \"HTTP\", \"handler\": \"" + handler + "\"}");
            assertThat(refused.statusCode()).as(handler).isEqualTo(400);
            assertThat(refused.body()).as(handler).contains("where Ferry itself listens");
        }
    }

    @Test
    @Order(3)
    void shouldStillAnswerASyncInvokeWhenABrokerLeadingInvocationsIsStopped() throws Exception {
        Collection<TopicPartitionInfo> partitions = admin.describeTopics(List.of("ferry.invocations"))
                .allTopicNames().get().get("ferry.invocations").partitions();
        // Node 0 also runs the controller; of the others, stop the one that leads more invocation partitions.
        long ledBy1 = partitions.stream().filter(p -> p.leader().id() == 1).count();
        long ledBy2 = partitions.stream().filter(p -> p.leader().id() == 2).count();
        int victim = ledBy1 >= ledBy2 ? 1 : 2;
        assertThat(Math.max(ledBy1, ledBy2)).as("partitions led by broker %d", victim).isPositive();

        dev.kafka().stopBroker(victim);

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            FerryCommandsIT.Run run = ferry("invoke", "echo", "--data", "still here");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).isEqualTo("still here\n");
        });
        for (int i = 0; i < 5; i++) {
            FerryCommandsIT.Run run = ferry("invoke", "echo", "--data", "call " + i);
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).isEqualTo("call " + i + "\n");
        }
        assertThat(admin.describeTopics(List.of("ferry.invocations")).allTopicNames().get().get("ferry.invocations")
                .partitions()).allSatisfy(p -> assertThat(p.leader().id()).isNotEqualTo(victim));
    }
}

package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.config.TriggerConfig;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.embedded.junit.KafkaFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;

/**
 * What the {@code /v1/triggers} tests share ({@link TriggersApiIT}, {@link TriggerReplicaBudgetIT},
 * {@link TriggerAccessRevokedIT}), set up once per test class on the shared test broker: four tenants with their
 * topic patterns ({@code acme} may use {@code acme.*}, {@code beta} {@code beta.*}, {@code dev} every topic,
 * {@code plain} none), a gateway on a topic prefix of its own with the built-in echo deployed as {@code echo} for
 * each tenant, and three source topics whose names end in {@link #run} so classes and runs never share one.
 */
final class TriggerApiFixture implements AutoCloseable {

    /** How often replicas would report on {@code ferry.trigger-status}, in milliseconds. */
    static final int STATUS_INTERVAL_MS = 1000;

    /** This fixture's suffix of topic names. */
    final String run = UUID.randomUUID().toString().substring(0, 8);
    final FerryConfig config;
    final TopicCatalog catalog;
    final Admin admin;
    final Gateway gateway;
    final HttpApi api;
    /** API keys of the tenants {@code acme}, {@code beta}, {@code dev} and {@code plain}. */
    final String acme;
    final String beta;
    final String everything;
    final String nothing;
    /** {@code acme.orders-<run>}, 3 partitions. */
    final String orders = "acme.orders-" + run;
    /** {@code beta.orders-<run>}, 1 partition. */
    final String betaOrders = "beta.orders-" + run;
    /** {@code shared-<run>}, 1 partition: a topic only {@code dev}'s pattern covers. */
    final String shared = "shared-" + run;

    private TriggerApiFixture(KafkaFixture kafka, Path dir) {
        TenantAdmin tenants = new TenantAdmin(dir.resolve("tenants.json"));
        acme = tenants.createTenant("acme");
        tenants.setTopics("acme", List.of("acme.*"));
        beta = tenants.createTenant("beta");
        tenants.setTopics("beta", List.of("beta.*"));
        everything = tenants.createTenant("dev");
        tenants.setTopics("dev", List.of("*"));
        nothing = tenants.createTenant("plain");
        // Each gateway a test starts besides this one enforces the whole quotas (no reports), or a burst of calls
        // on one gateway could meet the share the other's reports left it (429).
        config = Platform.config(kafka, dir.resolve("tenants.json"))
                .with(TriggerConfig.STATUS_INTERVAL_MS, STATUS_INTERVAL_MS)
                .with(GatewayConfig.QUOTA_REPORT_INTERVAL_MS, 0L);
        catalog = new TopicCatalog(config);
        admin = kafka.admin();
        gateway = new Gateway(config).start();
        api = new HttpApi(gateway.port());
        for (String key : List.of(acme, beta, everything, nothing)) {
            HttpResponse<byte[]> deployed = api.put("/v1/functions/echo", key,
                    "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
            assertThat(deployed.statusCode()).as(text(deployed)).isIn(200, 201);
        }
        kafka.createTopic(orders, 3);
        kafka.createTopic(betaOrders, 1);
        kafka.createTopic(shared, 1);
    }

    /** Sets it all up; close it when the class is done. */
    static TriggerApiFixture start(KafkaFixture kafka, Path dir) {
        return new TriggerApiFixture(kafka, dir);
    }

    /** A trigger's JSON body: {@code function} on the one topic {@code source}, then {@code extra} fields. */
    static String body(String function, String source, String extra) {
        return "{\"function\": \"" + function + "\", \"topics\": [\"" + source + "\"]" + extra + "}";
    }

    @Override
    public void close() {
        gateway.close();
    }
}

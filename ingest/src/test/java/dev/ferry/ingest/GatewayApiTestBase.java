package dev.ferry.ingest;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.invocation.UsageGranularity;
import dev.ferry.embedded.junit.FerryKafkaTest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the HTTP API test classes ({@link GatewayFunctionsApiIT}, {@link GatewayReplicaBudgetApiIT},
 * {@link GatewayInvocationsApiIT}, {@link GatewayTenancyApiIT}) have of the {@link GatewayApiFixture} they share, under
 * the names their tests use: each test's instance is given the one fixture of the JVM.
 */
@FerryKafkaTest
@ExtendWith(GatewayApiFixture.Resolver.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
abstract class GatewayApiTestBase {

    final GatewayApiFixture shared;
    final Platform platform;
    final FerryConfig platformConfig;
    /** The gateway with usage and scaling sources, as {@link #api} calls it. */
    final HttpApi api;
    /** The gateway without them. */
    final Gateway bare;
    /** API keys of the tenants of the same names. */
    final String acme;
    final String beta;
    final String gamma;
    final String tiny;
    final String slow;
    final String narrow;
    final List<String> usageAskedFor;
    final List<UsageGranularity> granularitiesAskedFor;

    GatewayApiTestBase(GatewayApiFixture shared) {
        this.shared = shared;
        platform = shared.platform;
        platformConfig = shared.config;
        api = shared.api;
        bare = shared.bare;
        acme = shared.keys.acme();
        beta = shared.keys.beta();
        gamma = shared.keys.gamma();
        tiny = shared.keys.tiny();
        slow = shared.keys.slow();
        narrow = shared.keys.narrow();
        usageAskedFor = shared.usageAskedFor;
        granularitiesAskedFor = shared.granularitiesAskedFor;
    }
}

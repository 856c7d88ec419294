package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.invocation.UsageGranularity;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.UsageRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * What the HTTP API tests share ({@link GatewayFunctionsApiIT}, {@link GatewayReplicaBudgetApiIT},
 * {@link GatewayInvocationsApiIT}, {@link GatewayTenancyApiIT}): the real pipeline ({@link Platform}) on the shared
 * test broker, two gateways in front of it and the tenants they serve.
 *
 * <ul>
 *   <li>{@link #gateway}, the one the tests call through {@link #api}, with a usage source that answers a record of
 *       the caller's and one of {@code someone-else}'s (and notes who asked, and for which granularity) and a scaling
 *       source that answers 2 replicas, 3 desired and a lag of 7 for every function;</li>
 *   <li>{@link #bare}, with neither source and reporting no quota use, so the main gateway enforces the tenants'
 *       quotas whole, whichever gateway's id sorts first ({@link ClusterQuotasIT} tests sharing);</li>
 *   <li>tenants {@code acme}, {@code beta} and {@code gamma} without limits, {@code tiny} (payloads of 1024 bytes
 *       synchronous, 512 asynchronous), {@code slow} (0.1 requests a second, a burst of 2) and {@code narrow} (one
 *       invocation in flight);</li>
 *   <li>the functions {@code acme/echo}, {@code acme/fail} (2 attempts), {@code acme/sleep} (300 ms timeout, 1
 *       attempt), {@code acme/picky} (sleep, 3 attempts), {@code tiny/echo} and {@code narrow/sleep}.</li>
 * </ul>
 *
 * <p>The dispatcher's payload limit (4096 bytes) is below the gateway's, so a test can see a REJECTED result.
 *
 * <p>Starting it takes a platform start, so it is started once per test JVM, by the first class that asks, and shared:
 * {@link Resolver} keeps it in JUnit's root store, which closes it when the JVM's run ends (until then it idles beside
 * the module's other test classes, as the shared broker does). The classes may run in any order, so no test counts on
 * what another class's tests deploy: the tests that pin replicas remove their functions before they end, and the test
 * that lists a tenant's functions exactly has a tenant no other test deploys for ({@code gamma}).
 */
final class GatewayApiFixture implements AutoCloseable {

    private final Path dir;
    final FerryConfig config;
    final Platform platform;
    final Gateway gateway;
    final Gateway bare;
    final HttpApi api;
    final Keys keys;
    /** The tenants, then the granularities, the usage source was asked for, in order. */
    final List<String> usageAskedFor = new CopyOnWriteArrayList<>();
    final List<UsageGranularity> granularitiesAskedFor = new CopyOnWriteArrayList<>();

    private GatewayApiFixture(KafkaFixture kafka) {
        try {
            dir = Files.createTempDirectory("gateway-api");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TenantAdmin admin = new TenantAdmin(dir.resolve("tenants.json"));
        keys = new Keys(admin.createTenant("acme"), admin.createTenant("beta"), admin.createTenant("gamma"),
                admin.createTenant("tiny", new Quota(null, null, null, 1024, 512)),
                admin.createTenant("slow", new Quota(0.1, 2, null, null, null)),
                admin.createTenant("narrow", new Quota(null, null, 1, null, null)));
        config = Platform.config(kafka, dir.resolve("tenants.json")).with("dispatcher.max.payload.bytes", 4096);
        platform = Platform.start(config);
        UsageSource usage = (tenant, from, to, function, granularity) -> {
            usageAskedFor.add(tenant);
            granularitiesAskedFor.add(granularity);
            return List.of(usageRecord(tenant, "echo"), usageRecord("someone-else", "echo"));
        };
        ScalingSource scaling = new ScalingSource() {
            @Override
            public Optional<FunctionScaling> function(FunctionRef ref) {
                return Optional.of(new FunctionScaling(ref.function(), 2, 3, 7L));
            }

            @Override
            public List<FunctionScaling> tenant(String tenant) {
                return List.of(new FunctionScaling("echo", 2, 3, 7L));
            }
        };
        gateway = new Gateway(config).usageSource(usage).scalingSource(scaling).start();
        bare = new Gateway(config.with("gateway.quota.report.interval.ms", 0)).start();
        api = new HttpApi(gateway.port());
        deploy(keys.acme(), "echo", "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
        deploy(keys.tiny(), "echo", "{\"runtime\": \"JAVA\", \"handler\": \"echo\"}");
        deploy(keys.acme(), "fail", "{\"runtime\": \"JAVA\", \"handler\": \"fail\", \"maxAttempts\": 2}");
        deploy(keys.acme(), "sleep",
                "{\"runtime\": \"JAVA\", \"handler\": \"sleep\", \"timeoutMs\": 300, \"maxAttempts\": 1}");
        deploy(keys.acme(), "picky", "{\"runtime\": \"JAVA\", \"handler\": \"sleep\", \"maxAttempts\": 3}");
        deploy(keys.narrow(), "sleep", "{\"runtime\": \"JAVA\", \"handler\": \"sleep\", \"concurrency\": 2}");
    }

    /** The API keys of the tenants of the same names. */
    record Keys(String acme, String beta, String gamma, String tiny, String slow, String narrow) {
    }

    /** Deploys (creates or updates) the function {@code name} of the tenant with API key {@code key}. */
    void deploy(String key, String name, String body) {
        HttpResponse<byte[]> response = api.put("/v1/functions/" + name, key, body);
        assertThat(response.statusCode()).as(text(response)).isIn(200, 201);
    }

    private static UsageRecord usageRecord(String tenant, String function) {
        return UsageRecord.newBuilder().setTenant(tenant).setFunction(function)
                .setWindowStart(Instant.parse("2026-01-01T00:00:00Z")).setWindowEnd(Instant.parse("2026-01-01T00:01:00Z"))
                .setInvocations(3).setFailures(1).setBilledMillis(12).setMbMillis(1536)
                .setCost(new BigDecimal("0.0000012345")).setAvailability(0.66).build();
    }

    @Override
    public void close() throws IOException {
        gateway.close();
        bare.close();
        platform.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /**
     * Resolves {@link GatewayApiFixture} parameters (of a test class's constructor or {@code @BeforeAll} method)
     * with the JVM's one fixture, starting it on first use. Use it on a {@link dev.ferry.embedded.junit.FerryKafkaTest}
     * class, whose extension resolves the broker the fixture runs on.
     */
    static final class Resolver implements ParameterResolver {

        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Resolver.class);
        private static final Method BROKER;

        static {
            try {
                BROKER = Resolver.class.getDeclaredMethod("broker", KafkaFixture.class);
            } catch (NoSuchMethodException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == GatewayApiFixture.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            // The broker first, so that it is in the root store before the fixture: the store closes its values in
            // the reverse order, so the platform is closed while the broker still runs.
            KafkaFixture kafka = (KafkaFixture) context.getExecutableInvoker().invoke(BROKER);
            return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(GatewayApiFixture.class,
                    key -> new GatewayApiFixture(kafka), GatewayApiFixture.class);
        }

        /** Invoked through JUnit, which resolves its parameter with the {@code FerryKafkaTest} class's extension. */
        static KafkaFixture broker(KafkaFixture kafka) {
            return kafka;
        }
    }
}

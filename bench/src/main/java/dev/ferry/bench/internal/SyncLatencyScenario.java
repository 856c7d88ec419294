package dev.ferry.bench.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.config.DispatcherConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.ingest.Gateway;
import dev.ferry.ingest.Quota;
import dev.ferry.ingest.TenantAdmin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sync-latency-p99}: closed-loop synchronous calls of echo over HTTP through the {@link Gateway} (with the
 * dispatcher and a worker pool behind it) against {@link RawRequestReply}, at concurrency 1 and 16. The line's
 * ratio is the p99 at concurrency 16; p50, p99 and p99.9 of both levels are in the details.
 */
public final class SyncLatencyScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(SyncLatencyScenario.class);
    static final int HIGH_CONCURRENCY = 16;

    @Override
    public String name() {
        return "sync-latency-p99";
    }

    @Override
    public Outcome run(BenchCluster cluster, boolean quick) throws Exception {
        int single = quick ? 50 : 300;
        int many = quick ? 400 : 2_000;
        int repetitions = 3;
        Path dir = Files.createTempDirectory("ferry-bench-sync");
        Path tenants = dir.resolve("tenants.json");
        String apiKey = new TenantAdmin(tenants).createTenant(Invocations.TENANT,
                new Quota(1_000_000.0, 1_000_000, 10_000, null, null));
        FerryConfig config = cluster.config("sync", Map.of(
                DispatcherConfig.TRANSACTIONAL_ID, "bench-dispatcher-" + UUID.randomUUID(),
                GatewayConfig.PORT, 0,
                GatewayConfig.TENANTS_FILE, tenants.toString()));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        Histogram ferryOne = new Histogram(3);
        Histogram ferryMany = new Histogram(3);
        Histogram rawOne = new Histogram(3);
        Histogram rawMany = new Histogram(3);
        Samples ferryP99 = new Samples();
        Samples rawP99 = new Samples();
        LatencySplit split;
        try (FerryStack stack = new FerryStack(config, PipelineScenario.WORK_PARTITIONS, 2, HIGH_CONCURRENCY);
             Gateway gateway = new Gateway(config).start();
             RawRequestReply raw = new RawRequestReply(config, config.topics().partitions())) {
            String base = "http://localhost:" + gateway.port();
            awaitReady(http, base);
            HttpRequest invoke = HttpRequest.newBuilder(URI.create(base + "/v1/functions/" + Invocations.FUNCTION
                            + "/invoke"))
                    .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Invocations.PAYLOAD)).build();
            ClosedLoop.Call ferryCall = () -> {
                HttpResponse<byte[]> response = http.send(invoke, HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() != 200) {
                    throw new FerryException("Invoke answered " + response.statusCode() + ": "
                            + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
                }
            };
            // Warm-up of both paths: JIT, connections, group joins, registry lookups.
            ClosedLoop.run(HIGH_CONCURRENCY, many / 4, ferryCall);
            ClosedLoop.run(HIGH_CONCURRENCY, many / 4, raw::call);
            for (int i = 0; i < repetitions; i++) {
                ferryOne.add(ClosedLoop.run(1, single, ferryCall));
                rawOne.add(ClosedLoop.run(1, single, raw::call));
                Histogram f = ClosedLoop.run(HIGH_CONCURRENCY, many, ferryCall);
                Histogram r = ClosedLoop.run(HIGH_CONCURRENCY, many, raw::call);
                ferryMany.add(f);
                rawMany.add(r);
                ferryP99.add(millis(f.getValueAtPercentile(99)));
                rawP99.add(millis(r.getValueAtPercentile(99)));
                log.info("sync repetition {}: p99 at {}: ferry {} ms, raw {} ms", i + 1, HIGH_CONCURRENCY,
                        ferryP99.values().get(i), rawP99.values().get(i));
            }
            split = LatencySplit.read(config, stack.ref());
        } finally {
            Files.deleteIfExists(tenants);
            Files.deleteIfExists(dir);
        }
        String details = "p50/p99/p99.9 ms, c=1: Ferry " + percentiles(ferryOne) + ", raw " + percentiles(rawOne)
                + "; c=" + HIGH_CONCURRENCY + ": Ferry " + percentiles(ferryMany) + ", raw " + percentiles(rawMany)
                + "; " + repetitions + " x (" + single + " + " + many + ") calls; Ferry's split: " + split.describe();
        return Outcome.of(name(), "ms p99 (c=16)", ferryP99, rawP99, false, 2.0, details);
    }

    private static void awaitReady(HttpClient http, String base) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(base + "/readyz")).timeout(Duration.ofSeconds(5))
                .GET().build();
        while (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new FerryException("The gateway was not ready within 60 s");
            }
            Thread.sleep(100);
        }
    }

    private static double millis(long micros) {
        return micros / 1000.0;
    }

    private static String percentiles(Histogram h) {
        return Format.number(millis(h.getValueAtPercentile(50))) + "/" + Format.number(millis(
                h.getValueAtPercentile(99))) + "/" + Format.number(millis(h.getValueAtPercentile(99.9)));
    }
}

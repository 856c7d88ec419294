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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sync-latency-p99}: closed-loop synchronous calls of echo over HTTP through the {@link Gateway} (with the
 * dispatcher and a worker pool behind it) against {@link RawRequestReply}, at concurrency 1, 16 and 64 (issue 16,
 * part 3). The line's ratio is the p99 at concurrency 16; p50, p99 and p99.9 of every level are in the details,
 * beside the same raw round trip with a share-group responder (what the share group itself costs) and Ferry's
 * split of each level ({@link LatencySplit}). Ferry and the raw sides alternate call by call level.
 */
public final class SyncLatencyScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(SyncLatencyScenario.class);
    static final int HIGH_CONCURRENCY = 16;
    static final int[] LEVELS = {1, HIGH_CONCURRENCY, 64};

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
        Map<Integer, Histogram> ferry = histograms();
        Map<Integer, Histogram> raw = histograms();
        Map<Integer, Histogram> rawShare = histograms();
        Map<String, CallTimes> measured = new LinkedHashMap<>();
        for (int level : LEVELS) {
            measured.put("c=" + level, new CallTimes());
        }
        Samples ferryP99 = new Samples();
        Samples rawP99 = new Samples();
        LatencySplit split;
        try (FerryStack stack = new FerryStack(config, PipelineScenario.WORK_PARTITIONS, 2, HIGH_CONCURRENCY);
             Gateway gateway = new Gateway(config).start();
             RawRequestReply direct = new RawRequestReply(config, config.topics().partitions());
             RawRequestReply shared = RawRequestReply.shareGroup(config, config.topics().partitions(),
                     HIGH_CONCURRENCY)) {
            String base = "http://localhost:" + gateway.port();
            awaitReady(http, base);
            HttpRequest invoke = HttpRequest.newBuilder(URI.create(base + "/v1/functions/" + Invocations.FUNCTION
                            + "/invoke"))
                    .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Invocations.PAYLOAD)).build();
            // Warm-up of every path: JIT, connections, group joins, registry lookups.
            ClosedLoop.run(HIGH_CONCURRENCY, many / 4, ferryCall(http, invoke, null));
            ClosedLoop.run(HIGH_CONCURRENCY, many / 4, direct::call);
            ClosedLoop.run(HIGH_CONCURRENCY, many / 4, shared::call);
            for (int i = 0; i < repetitions; i++) {
                for (int level : LEVELS) {
                    int calls = level == 1 ? single : many;
                    Histogram f = ClosedLoop.run(level, calls, ferryCall(http, invoke, measured.get("c=" + level)));
                    Histogram r = ClosedLoop.run(level, calls, direct::call);
                    rawShare.get(level).add(ClosedLoop.run(level, calls, shared::call));
                    ferry.get(level).add(f);
                    raw.get(level).add(r);
                    if (level == HIGH_CONCURRENCY) {
                        ferryP99.add(millis(f.getValueAtPercentile(99)));
                        rawP99.add(millis(r.getValueAtPercentile(99)));
                        log.info("sync repetition {}: p99 at {}: ferry {} ms, raw {} ms", i + 1, HIGH_CONCURRENCY,
                                ferryP99.values().get(i), rawP99.values().get(i));
                    }
                }
            }
            split = LatencySplit.read(config, stack.ref(), measured);
        } finally {
            Files.deleteIfExists(tenants);
            Files.deleteIfExists(dir);
        }
        StringBuilder details = new StringBuilder("p50/p99/p99.9 ms");
        for (int level : LEVELS) {
            details.append(level == 1 ? ", " : "; ").append("c=").append(level).append(": Ferry ")
                    .append(percentiles(ferry.get(level))).append(", raw ").append(percentiles(raw.get(level)))
                    .append(", raw with a share-group responder ").append(percentiles(rawShare.get(level)));
        }
        details.append("; ").append(repetitions).append(" x (").append(single).append(" + ").append(many)
                .append(" + ").append(many).append(") calls per side; Ferry's split: ").append(split.describe());
        return Outcome.of(name(), "ms p99 (c=16)", ferryP99, rawP99, false, 2.0, details.toString());
    }

    /** A synchronous call through the gateway; records its two instants by invocation id when {@code times} is given. */
    private static ClosedLoop.Call ferryCall(HttpClient http, HttpRequest invoke, CallTimes times) {
        return () -> {
            long sent = System.currentTimeMillis();
            HttpResponse<byte[]> response = http.send(invoke, HttpResponse.BodyHandlers.ofByteArray());
            long answered = System.currentTimeMillis();
            if (response.statusCode() != 200) {
                throw new FerryException("Invoke answered " + response.statusCode() + ": "
                        + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            if (times != null) {
                response.headers().firstValue("Ferry-Invocation-Id")
                        .ifPresent(id -> times.record(id, sent, answered));
            }
        };
    }

    private static Map<Integer, Histogram> histograms() {
        Map<Integer, Histogram> levels = new LinkedHashMap<>();
        for (int level : LEVELS) {
            levels.put(level, new Histogram(3));
        }
        return levels;
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

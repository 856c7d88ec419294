package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.json;
import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.metrics.FerryMetrics;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import io.micrometer.core.instrument.Gauge;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant's limits hold across gateways (issue 15, part 3; docs/design.md, "Quotas across gateways"): two gateways
 * on one cluster, driven over real HTTP, admit together what one would, within the documented precision.
 */
@FerryKafkaTest
@Tag("system") // 40 s of driven load; the slots' hand-over between gateways runs in CI as QuotaExchangeIT
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterQuotasIT {

    private static final Logger log = LoggerFactory.getLogger(ClusterQuotasIT.class);

    /** The default. */
    private static final long INTERVAL_MS = 1000;
    private static final double RATE = 50;
    /** Half a second of the rate: a machine that stalls for less does not cost the tenant admissions. */
    private static final int BURST = 25;
    private static final int MAX_CONCURRENT = 4;
    /** Time for each gateway to report the load and read the other's report: two intervals and some. */
    private static final Duration SETTLE = Duration.ofMillis(5 * INTERVAL_MS / 2);

    @TempDir
    static Path dir;

    private static Platform platform;
    private static Gateway first;
    private static Gateway second;
    private static List<HttpApi> gateways;
    private static String evenKey;
    private static String lopsidedKey;
    private static String boundedKey;

    @BeforeAll
    static void start(KafkaFixture kafka) {
        TenantAdmin admin = new TenantAdmin(dir.resolve("tenants.json"));
        Quota rated = new Quota(RATE, BURST, null, null, null);
        evenKey = admin.createTenant("even", rated);
        lopsidedKey = admin.createTenant("lopsided", rated);
        boundedKey = admin.createTenant("bounded", new Quota(1000.0, 1000, MAX_CONCURRENT, null, null));
        FerryConfig config = Platform.config(kafka, dir.resolve("tenants.json"))
                .with("gateway.quota.report.interval.ms", INTERVAL_MS);
        platform = Platform.start(config);
        first = new Gateway(config).start();
        second = new Gateway(config).start();
        gateways = List.of(new HttpApi(first.port()), new HttpApi(second.port()));
        HttpResponse<byte[]> deployed = gateways.get(0).put("/v1/functions/sleep", boundedKey,
                "{\"runtime\": \"JAVA\", \"handler\": \"sleep\", \"concurrency\": 16, \"timeoutMs\": 10000}");
        assertThat(deployed.statusCode()).as(text(deployed)).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> gateways.get(1).post("/v1/functions/sleep/invoke",
                boundedKey, "{\"ms\": 1}", "application/json").statusCode() == 200);
        // Each gateway has read the other's reports: the operator's gauge says two gateways share the quotas.
        await().atMost(Duration.ofSeconds(30)).until(() -> sharingGateways().equals(List.of(2, 2)));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {first, second, platform}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                log.warn("Closing {}: {}", closeable, e.toString());
            }
        }
    }

    @Test
    void shouldAdmitAboutTheTenantsRateInAllWhenTwoGatewaysAreDrivenAtOnce() {
        // 60 requests/s on each gateway: either alone would admit all 50/s it allows, 100/s together.
        Duration measured = Duration.ofSeconds(6);
        Load load = drive(gateways, 60, measured, api -> api.get("/v1/invocations/none", evenKey));

        double seconds = measured.toNanos() / 1e9;
        long admitted = load.admitted();
        log.info("Two gateways, 120 requests/s offered: {} sent, {} admitted in {} s, {} /s (limit {} /s, burst {}); "
                + "refusals said {}", load.responses().size(), admitted, seconds, admitted / seconds, RATE, BURST,
                load.refusals());
        assertThat(load.statuses()).as("admitted requests are answered 404, refused ones 429")
                .allMatch(s -> s == 404 || s == 429);
        assertThat(admitted).isLessThanOrEqualTo(maxAdmitted(seconds));
        // A loose floor: on a loaded machine callers stall, and a stalled caller's tokens overflow its bucket.
        assertThat(admitted).as("both gateways still admit their share").isGreaterThanOrEqualTo(
                (long) (0.6 * RATE * seconds));
        assertThat(load.admittedBy(0)).isPositive();
        assertThat(load.admittedBy(1)).isPositive();
    }

    @Test
    void shouldGiveNearlyTheWholeRateToTheOneGatewayThatHasAllTheLoad() {
        Duration measured = Duration.ofSeconds(5);
        Load load = drive(gateways.subList(0, 1), 100, measured, api -> api.get("/v1/invocations/none", lopsidedKey));

        double seconds = measured.toNanos() / 1e9;
        long admitted = load.admitted();
        log.info("One gateway of two, 100 requests/s offered: {} sent, {} admitted in {} s, {} /s (limit {} /s); "
                + "refusals said {}", load.responses().size(), admitted, seconds, admitted / seconds, RATE,
                load.refusals());
        // The idle gateway keeps its floor of 10% / 2 of the limit: the busy one gets 95%, not half. Measured 94.8%
        // on a quiet machine, 81% with a load average of 40 on 2 cores (stalled callers' tokens overflow the bucket);
        // half the rate would admit at most 0.5 T + B / 2, which this bound is well clear of.
        assertThat(admitted).isGreaterThanOrEqualTo((long) (0.7 * RATE * seconds));
        assertThat(admitted).isLessThanOrEqualTo(maxAdmitted(seconds));
    }

    @Test
    void shouldKeepTheTenantsInvocationsInFlightWithinItsLimitAcrossTwoGateways() {
        // 25 calls of 300 ms per second on each gateway: about 7.5 wanted at once on each, 4 allowed in all.
        Load load = drive(gateways, 25, Duration.ofSeconds(6), api -> api.post("/v1/functions/sleep/invoke",
                boundedKey, "{\"ms\": 300}", "application/json"));

        // Every call, those of the settling time included: the limit holds from the start.
        List<HttpResponse<byte[]>> all = load.all();
        assertThat(all).as("each call either ran or was refused for concurrency")
                .allMatch(r -> r.statusCode() == 200 || r.statusCode() == 429);
        List<String> ran = all.stream().filter(r -> r.statusCode() == 200)
                .map(r -> r.headers().firstValue("Ferry-Invocation-Id").orElseThrow()).toList();
        List<Instant[]> runs = ran.stream().map(id -> {
            // A synchronous call's result comes back to the gateway that answered it only (issue 15, part 5).
            HttpResponse<byte[]> result = gateways.stream().map(g -> g.get("/v1/invocations/" + id, boundedKey))
                    .filter(r -> r.statusCode() != 404).findFirst().orElseThrow();
            assertThat(result.statusCode()).as(text(result)).isEqualTo(200);
            return new Instant[] {Instant.parse(json(result).get("startedAt").asText()),
                    Instant.parse(json(result).get("finishedAt").asText())};
        }).toList();
        int most = mostAtOnce(runs);
        log.info("Two gateways, 50 calls/s of 300 ms offered: {} ran, at most {} at once (limit {})", runs.size(),
                most, MAX_CONCURRENT);
        assertThat(most).as("invocations running at once").isLessThanOrEqualTo(MAX_CONCURRENT);
        assertThat(runs.size()).as("the slots were used").isGreaterThanOrEqualTo(10);
        assertThat(load.admittedBy(0)).isPositive();
        assertThat(load.admittedBy(1)).isPositive();
    }

    /**
     * The documented precision (docs/design.md, "Quotas across gateways"): over T seconds once the shares have
     * settled, at most L·T + B, plus one token per gateway (a share's burst is at least one token), plus 5% of L·T
     * for the moments the two gateways have read different reports and for the edges of the window.
     */
    private static long maxAdmitted(double seconds) {
        return (long) Math.ceil(RATE * seconds * 1.05 + BURST + gateways.size());
    }

    private static List<Integer> sharingGateways() {
        Collection<Gauge> gauges = FerryMetrics.registry().find("ferry.gateway.quota.gateways").gauges();
        return gauges.stream().map(g -> (int) g.value()).sorted().toList();
    }

    private static int mostAtOnce(List<Instant[]> runs) {
        List<long[]> events = new ArrayList<>();
        for (Instant[] run : runs) {
            events.add(new long[] {run[0].toEpochMilli(), 1});
            events.add(new long[] {run[1].toEpochMilli(), -1});
        }
        // A run that ends in the millisecond another starts is not counted twice.
        events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        int now = 0;
        int most = 0;
        for (long[] event : events) {
            now += event[1];
            most = Math.max(most, now);
        }
        return most;
    }

    /**
     * The answers of one load: {@code responses} to the requests sent in the measured window, with the gateway each
     * went to; {@code all} to every request sent.
     */
    private record Load(List<HttpResponse<byte[]>> responses, List<Integer> targets, List<HttpResponse<byte[]>> all) {

        List<Integer> statuses() {
            return responses.stream().map(HttpResponse::statusCode).toList();
        }

        java.util.Set<String> refusals() {
            return responses.stream().filter(r -> r.statusCode() == 429)
                    .map(r -> json(r).get("error").asText().replaceAll(".*share of it is ", ""))
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        }

        long admitted() {
            return responses.stream().filter(r -> r.statusCode() != 429).count();
        }

        long admittedBy(int gateway) {
            long count = 0;
            for (int i = 0; i < responses.size(); i++) {
                if (targets.get(i) == gateway && responses.get(i).statusCode() != 429) {
                    count++;
                }
            }
            return count;
        }
    }

    /**
     * Sends {@code perSecond} requests a second to each of {@code targets}, paced by a timer whatever the answers
     * take, for {@link #SETTLE} and then for {@code measured}; returns the answers to the requests of the measured
     * window.
     */
    private static Load drive(List<HttpApi> targets, int perSecond, Duration measured,
            java.util.function.Function<HttpApi, HttpResponse<byte[]>> request) {
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
        ExecutorService senders = Executors.newCachedThreadPool();
        ConcurrentLinkedQueue<Map.Entry<Integer, CompletableFuture<HttpResponse<byte[]>>>> sent =
                new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<CompletableFuture<HttpResponse<byte[]>>> every = new ConcurrentLinkedQueue<>();
        long begin = System.nanoTime() + SETTLE.toNanos();
        long end = begin + measured.toNanos();
        CountDownLatch done = new CountDownLatch(1);
        try {
            long period = TimeUnit.SECONDS.toNanos(1) / perSecond;
            for (int i = 0; i < targets.size(); i++) {
                int target = i;
                timer.scheduleAtFixedRate(() -> {
                    long now = System.nanoTime();
                    if (now - end >= 0) {
                        done.countDown();
                        return;
                    }
                    CompletableFuture<HttpResponse<byte[]>> answer =
                            CompletableFuture.supplyAsync(() -> request.apply(targets.get(target)), senders);
                    every.add(answer);
                    if (now - begin >= 0) {
                        sent.add(Map.entry(target, answer));
                    }
                }, 0, period, TimeUnit.NANOSECONDS);
            }
            assertThat(done.await(SETTLE.plus(measured).plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            timer.shutdownNow();
            List<HttpResponse<byte[]>> responses = new ArrayList<>();
            List<Integer> sentTo = new ArrayList<>();
            for (Map.Entry<Integer, CompletableFuture<HttpResponse<byte[]>>> entry : sent) {
                responses.add(entry.getValue().join());
                sentTo.add(entry.getKey());
            }
            return new Load(responses, sentTo, every.stream().map(CompletableFuture::join).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            timer.shutdownNow();
            senders.shutdown();
        }
    }
}

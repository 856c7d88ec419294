package dev.ferry.ingest;

import static dev.ferry.ingest.HttpApi.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A measuring harness, not a test (issue 15, part 5): the gateway CPU per synchronous call with 1 and with 3
 * gateways in one JVM, from the CPU time of the gateway's threads (result readers; and all of them: readers, Jetty,
 * the answer pool, the gateway's producer). Logs its figures (lines {@code gateway-cpu ...}) and asserts only that
 * every call was answered. Its name matches neither Surefire's nor Failsafe's patterns, so only naming it runs it:
 *
 * <pre>
 * mvn -B -o -q -pl ingest -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=GatewayCpuMeasurement \
 *     -Dfailsafe.failIfNoSpecifiedTests=false verify
 * </pre>
 */
@FerryKafkaTest
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class GatewayCpuMeasurement {

    private static final Logger log = LoggerFactory.getLogger(GatewayCpuMeasurement.class);
    private static final int CALLS = Integer.getInteger("ferry.measure.calls", 1000);
    private static final int WARM_UP = 300;
    private static final long IDLE_MS = 5_000;
    private static final int CLIENTS = 8;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** The gateway's threads that read results (TopicTails named ferry-gateway-...), not its other tails. */
    private static final Predicate<String> READERS = name -> name.startsWith("ferry-gateway-")
            && !name.startsWith("ferry-gateway-respond") && !name.endsWith("-timeouts")
            && !name.contains("trigger-status");
    /** Every thread that works for a gateway: readers, Jetty, the answer pool, the gateway's producer. */
    private static final Predicate<String> GATEWAY = name -> READERS.test(name)
            || name.startsWith("ferry-gateway-respond") || name.startsWith("JettyServerThreadPool")
            || name.startsWith("qtp") || name.contains("producer-network-thread | ferry-gateway");

    @TempDir
    static Path dir;

    @Test
    void measure(KafkaFixture kafka) throws Exception {
        String key = new TenantAdmin(dir.resolve("tenants.json")).createTenant("acme");
        // Quotas are per gateway: lift them, so one gateway is measured at the same load as three.
        FerryConfig config = Platform.config(kafka, dir.resolve("tenants.json")).with(Map.of(
                "gateway.quota.requests.per.second", 1_000_000.0, "gateway.quota.burst", 1_000_000,
                "gateway.quota.max.concurrent", 10_000));
        try (Platform platform = Platform.start(config)) {
            try (Gateway gateway = new Gateway(config).start()) {
                HttpResponse<byte[]> deployed = new HttpApi(gateway.port()).put("/v1/functions/echo", key,
                        "{\"runtime\": \"JAVA\", \"handler\": \"echo\", \"concurrency\": 16}");
                assertThat(deployed.statusCode()).as(text(deployed)).isEqualTo(201);
            }
            for (int gateways : new int[] {1, 3, 1, 3}) {
                run(config, key, gateways);
            }
        }
    }

    private void run(FerryConfig config, String key, int count) throws Exception {
        List<Gateway> gateways = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                gateways.add(new Gateway(config).start());
            }
            List<HttpApi> apis = gateways.stream().map(g -> new HttpApi(g.port())).toList();
            calls(apis, key, WARM_UP);
            // What the readers burn with no calls at all (polling every topic they follow), per millisecond: a fixed
            // span is what is measured here, not a wait for a condition.
            Map<Long, Long> idleBefore = cpu(READERS);
            long idleBegan = System.nanoTime();
            Thread.sleep(IDLE_MS);
            double idlePerMs = delta(idleBefore, cpu(READERS)) / ((System.nanoTime() - idleBegan) / 1e6);
            Map<Long, Long> readersBefore = cpu(READERS);
            Map<Long, Long> allBefore = cpu(GATEWAY);
            long began = System.nanoTime();
            calls(apis, key, CALLS);
            long wallMs = (System.nanoTime() - began) / 1_000_000;
            long readers = delta(readersBefore, cpu(READERS));
            long all = delta(allBefore, cpu(GATEWAY));
            log.info(String.format("gateway-cpu gateways=%d calls=%d wall=%d ms readerCpuPerCall=%.1f us "
                    + "readerIdle=%.1f us/s readerCpuPerCallLessIdle=%.1f us gatewayCpuPerCall=%.1f us", count,
                    CALLS, wallMs, readers / 1000.0 / CALLS, idlePerMs, (readers - idlePerMs * wallMs) / 1000.0 / CALLS,
                    all / 1000.0 / CALLS));
        } finally {
            gateways.forEach(Gateway::close);
        }
    }

    /** {@code n} synchronous calls, round-robin over the gateways, {@link #CLIENTS} at a time; all must answer 200. */
    private static void calls(List<HttpApi> apis, String key, int n) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                HttpApi api = apis.get(i % apis.size());
                String payload = "call-" + i;
                answers.add(clients.submit(() ->
                        api.post("/v1/functions/echo/invoke", key, payload, "text/plain").statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(200);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private static Map<Long, Long> cpu(Predicate<String> which) {
        Map<Long, Long> times = new HashMap<>();
        for (var info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && which.test(info.getThreadName())) {
                long nanos = THREADS.getThreadCpuTime(info.getThreadId());
                if (nanos >= 0) {
                    times.put(info.getThreadId(), nanos);
                }
            }
        }
        return times;
    }

    /** CPU nanoseconds spent between two samples by the threads of the second (new threads from 0). */
    private static long delta(Map<Long, Long> before, Map<Long, Long> after) {
        long total = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            total += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return total;
    }
}

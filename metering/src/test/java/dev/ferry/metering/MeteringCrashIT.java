package dev.ferry.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.UsageRecord;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exactly-once billing across crashes: metering runs in a child JVM that is killed (SIGKILL) three times while
 * results stream in, each time after it has already emitted some usage; after a last instance finishes, the final
 * records on ferry.usage sum to exactly what was sent, with each window emitted once.
 */
@FerryKafkaTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MeteringCrashIT {

    private static final List<String> FUNCTIONS = List.of("acme/resize", "acme/thumbnail", "globex/resize");
    private static final int[] MEMORY = {128, 256, 1024};

    /** What the load generator sent, per function: only attempts that ran, each counted once. */
    private static final class Expected {
        final Map<String, long[]> byFunction = new HashMap<>(); // invocations, failures, billedMillis, mbMillis

        void add(InvocationResult r) {
            if (r.getStatus() == InvocationStatus.REJECTED || r.getStatus() == InvocationStatus.THROTTLED) {
                return;
            }
            long billed = Math.max(1, (r.getDurationMicros() + 999) / 1000);
            long[] sums = byFunction.computeIfAbsent(r.getTenant() + "/" + r.getFunction(), k -> new long[4]);
            sums[0]++;
            boolean failed = r.getStatus() == InvocationStatus.FAILED || r.getStatus() == InvocationStatus.TIMED_OUT;
            sums[1] += failed ? 1 : 0;
            sums[2] += billed;
            sums[3] += billed * r.getMemoryMb();
        }
    }

    @Test
    void shouldBillEveryAttemptExactlyOnceWhenInstancesAreKilledMidStream(KafkaFixture kafka) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "crash-it-" + UUID.randomUUID()));
        // One results partition keeps the stream in finishedAt order through the repartition after a restart, so
        // a 1 s grace period is enough; see README, "Late results".
        FerryConfig config = MeteringItSupport.config(kafka, 1, Map.of(
                MeteringConfig.STATE_DIR, work.resolve("state").toAbsolutePath().toString()));
        MeteringItSupport.createTopics(config);

        Expected expected = new Expected();
        AtomicInteger sent = new AtomicInteger();
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        Random random = new Random(42);
        List<InvocationResult> resend = new ArrayList<>();
        try (KafkaProducer<String, InvocationResult> producer = MeteringItSupport.resultProducer(config);
                MeteringItSupport.UsageTail tail = new MeteringItSupport.UsageTail(config)) {
            load.scheduleAtFixedRate(() -> {
                // Last batch's duplicates first: a result written twice, shortly apart, as a retrying producer does.
                resend.forEach(r -> MeteringItSupport.send(producer, config, r));
                resend.clear();
                for (int i = 0; i < 4; i++) {
                    InvocationResult r = randomResult(random);
                    MeteringItSupport.send(producer, config, r);
                    expected.add(r);
                    sent.incrementAndGet();
                    if (random.nextInt(4) == 0) {
                        resend.add(r);
                    }
                }
            }, 0, 20, TimeUnit.MILLISECONDS);

            Process child = startChild(config, work, 0);
            for (int kill = 1; kill <= 3; kill++) {
                int before = tail.records.size();
                await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                        .until(() -> tail.records.size() > before);
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                child = startChild(config, work, kill);
            }
            int atLastStart = sent.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> sent.get() > atLastStart + 400);
            load.shutdown();
            assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            producer.flush();

            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> totals(tail.records).equals(flatten(expected)));
            } finally {
                child.getOutputStream().close();
                if (!child.waitFor(30, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }

            List<String> keys = tail.records.stream().map(ConsumerRecord::key).toList();
            assertThat(keys).doesNotHaveDuplicates();
            assertThat(totals(tail.records)).isEqualTo(flatten(expected));
            MeteringConfig.Plan plan = config.metering().planOf("acme");
            for (ConsumerRecord<String, UsageRecord> record : tail.records) {
                UsageRecord u = record.value();
                assertThat(u.getCost()).isEqualTo(dev.ferry.metering.internal.Billing.cost(plan, u.getMbMillis(),
                        u.getInvocations()));
            }
            deleteRecursively(work); // kept when the test fails: the child logs are in there
        } finally {
            load.shutdownNow();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static InvocationResult randomResult(Random random) {
        String[] function = FUNCTIONS.get(random.nextInt(FUNCTIONS.size())).split("/");
        int roll = random.nextInt(20);
        InvocationStatus status = roll < 14 ? InvocationStatus.SUCCEEDED
                : roll < 16 ? InvocationStatus.FAILED
                : roll < 17 ? InvocationStatus.TIMED_OUT
                : roll < 19 ? InvocationStatus.REJECTED : InvocationStatus.THROTTLED;
        Instant now = Instant.now();
        return InvocationResult.newBuilder()
                .setInvocationId(UUID.randomUUID().toString())
                .setTenant(function[0])
                .setFunction(function[1])
                .setAttempt(1 + random.nextInt(2))
                .setStatus(status)
                .setMemoryMb(MEMORY[random.nextInt(MEMORY.length)])
                .setSubmittedAt(now.minusMillis(50))
                .setStartedAt(now.minusMillis(20))
                .setFinishedAt(now)
                .setDurationMicros(random.nextInt(3_000_000))
                .build();
    }

    private static Map<String, List<Long>> flatten(Expected expected) {
        return expected.byFunction.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> List.of(e.getValue()[0], e.getValue()[1], e.getValue()[2], e.getValue()[3])));
    }

    private static Map<String, List<Long>> totals(List<ConsumerRecord<String, UsageRecord>> records) {
        Map<String, long[]> sums = new HashMap<>();
        for (ConsumerRecord<String, UsageRecord> record : records) {
            UsageRecord u = record.value();
            long[] s = sums.computeIfAbsent(u.getTenant() + "/" + u.getFunction(), k -> new long[4]);
            s[0] += u.getInvocations();
            s[1] += u.getFailures();
            s[2] += u.getBilledMillis();
            s[3] += u.getMbMillis();
        }
        return sums.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> List.of(e.getValue()[0], e.getValue()[1], e.getValue()[2], e.getValue()[3])));
    }

    /**
     * Every instance reuses the state dir (so Streams keeps its process id and the new producer fences the dead
     * one's transaction at once) and the static group member id (so the group hands the partitions over without
     * waiting for the dead member's session to time out).
     */
    private static Process startChild(FerryConfig config, Path work, int generation) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                MeteringChildMain.class.getName()));
        for (String key : List.of(FerryConfig.BOOTSTRAP_SERVERS, FerryConfig.SCHEMA_REGISTRY_URL,
                FerryConfig.TOPIC_PREFIX)) {
            command.add(key + "=" + String.join(",", config.originals().get(key).toString()));
        }
        for (String key : List.of(TopicConfig.PARTITIONS, MeteringConfig.WINDOW_MS, MeteringConfig.GRACE_MS,
                MeteringConfig.COMMIT_INTERVAL_MS, MeteringConfig.HTTP_PORT, MeteringConfig.STATE_DIR)) {
            command.add(key + "=" + config.originals().get(key));
        }
        MeteringItSupport.fastStreams().forEach((k, v) -> command.add("streams." + k + "=" + v));
        command.add("streams." + StreamsConfig.mainConsumerPrefix("group.instance.id") + "=metering-crash-it");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(work.resolve("child-" + generation + ".log").toFile()));
        return builder.start();
    }
}

package dev.ferry.systest;

import static org.awaitility.Awaitility.await;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.invocation.BilledTime;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.UsageRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every accepted invocation of one function against what Kafka holds, read {@code read_committed} as any
 * user's consumer would: {@code ferry.results} (one record per finished attempt) and {@code ferry.usage} (metering's
 * final windows).
 *
 * <ul>
 *   <li><b>lost</b>: accepted invocations (the client was told their id) with no final result. Must be 0.
 *   <li><b>answered twice</b>: attempts ({@code invocationId}, {@code attempt}) with more than one result. Allowed
 *       only for attempts a killed worker process had in flight: a crash redelivers the same attempt (docs/design.md,
 *       "Attempts"), so one of the results must come from a worker killed with SIGKILL in this case. Any other
 *       repeat, and any invocation with final results of two different attempts, is <em>unexplained</em>.
 *   <li><b>usage exact</b>: the sum of {@code billedMillis} and {@code mbMillis} over the function's
 *       {@code ferry.usage} records equals, to the millisecond, the billing rule (core's {@link BilledTime}) applied
 *       to each attempt once (the first of its results in its partition, as metering sees them). Unacknowledged
 *       invocations (produced but the caller never heard) count too: they ran and are billed.
 *   <li><b>longest gap</b>: the longest time without an answer during the load: between successive final results
 *       ({@code finishedAt}) of accepted invocations, and between successive synchronous 200 replies as the client
 *       received them.
 * </ul>
 */
final class Verifier {

    private static final Logger log = LoggerFactory.getLogger(Verifier.class);

    /** One result record and where it was. */
    record Seen(InvocationResult result, int partition, long offset) {
        String attemptKey() {
            return result.getInvocationId() + "#" + result.getAttempt();
        }
    }

    /** What the verifier found; {@link #passed()} is the verdict. */
    record Verdict(long acceptedSync, long acceptedAsync, long gaveUp, long results, long lost, long answeredTwice,
            long unexplainedRepeats, long unacknowledged, long expectedBilledMs, long usageBilledMs,
            long expectedMbMs, long usageMbMs, long longestResultGapMs, long longestSyncGapMs, List<String> lostIds,
            List<String> unexplained, Map<String, Long> resultsByWorker, long usageUncommittedBilledMs) {

        boolean usageExact() {
            return expectedBilledMs == usageBilledMs && expectedMbMs == usageMbMs;
        }

        boolean passed() {
            return lost == 0 && unexplainedRepeats == 0 && usageExact() && gaveUp == 0;
        }
    }

    private final FerryConfig config;
    private final String tenant;
    private final String function;

    Verifier(String bootstrapServers, String registryUrl, String tenant, String function) {
        this.config = new FerryConfig(Map.of(FerryConfig.BOOTSTRAP_SERVERS, bootstrapServers,
                FerryConfig.SCHEMA_REGISTRY_URL, registryUrl));
        this.tenant = tenant;
        this.function = function;
    }

    /**
     * Waits (up to {@code timeout}) until every accepted invocation has its final result and usage equals the
     * billed time, then judges what is there. A timeout is not an error here: the verdict says what is missing.
     *
     * @param killedWorkers {@code worker.id}s of worker processes killed with SIGKILL in this case
     */
    Verdict verify(LoadGenerator load, Set<String> killedWorkers, Duration timeout) {
        AtomicReference<Verdict> last = new AtomicReference<>();
        try {
            await("every accepted invocation answered and usage exact").atMost(timeout)
                    .pollInterval(Duration.ofSeconds(3)).until(() -> {
                        Verdict v = judge(load, killedWorkers);
                        last.set(v);
                        return v.lost() == 0 && v.usageExact();
                    });
        } catch (ConditionTimeoutException e) {
            log.warn("Not every accepted invocation was answered with exact usage within {}: {}", timeout,
                    last.get());
        }
        // One more look after usage matched: a repeat written late still counts.
        Verdict verdict = judge(load, killedWorkers);
        log.info("Verdict: {}", verdict);
        return verdict;
    }

    Verdict judge(LoadGenerator load, Set<String> killedWorkers) {
        List<LoadGenerator.Call> calls = load.calls();
        Map<String, Boolean> accepted = new HashMap<>();
        calls.stream().filter(c -> c.id() != null).forEach(c -> accepted.put(c.id(), c.sync()));
        long gaveUp = calls.stream().filter(c -> c.id() == null).count();

        List<Seen> results = new ArrayList<>();
        read(new TopicCatalog(config).results(), InvocationResult.class, (r, partition, offset) -> {
            if (tenant.equals(r.getTenant()) && function.equals(r.getFunction())) {
                results.add(new Seen(r, partition, offset));
            }
        });
        Map<String, List<Seen>> byAttempt = new LinkedHashMap<>();
        Map<String, List<Seen>> finals = new HashMap<>();
        for (Seen s : results) {
            byAttempt.computeIfAbsent(s.attemptKey(), k -> new ArrayList<>()).add(s);
            if (isFinal(s.result())) {
                finals.computeIfAbsent(s.result().getInvocationId(), k -> new ArrayList<>()).add(s);
            }
        }
        List<String> lostIds = accepted.keySet().stream().filter(id -> !finals.containsKey(id)).sorted().toList();
        long unacknowledged = results.stream().map(s -> s.result().getInvocationId()).distinct()
                .filter(id -> !accepted.containsKey(id)).count();

        List<String> unexplained = new ArrayList<>();
        long answeredTwice = 0;
        long expectedBilled = 0;
        long expectedMb = 0;
        Predicate<Seen> byKilledWorker = s -> s.result().getWorker() != null && killedWorkers.stream()
                .anyMatch(w -> s.result().getWorker().startsWith(w));
        for (Map.Entry<String, List<Seen>> attempt : byAttempt.entrySet()) {
            List<Seen> seen = attempt.getValue();
            Seen first = seen.stream().min(Comparator.comparingLong(Seen::offset)).orElseThrow();
            long billed = BilledTime.billedMillis(first.result());
            expectedBilled += billed;
            expectedMb += billed * first.result().getMemoryMb();
            if (seen.size() > 1) {
                answeredTwice++;
                if (seen.stream().noneMatch(byKilledWorker)) {
                    unexplained.add(attempt.getKey() + " answered " + seen.size() + " times by "
                            + seen.stream().map(s -> s.result().getWorker() + " " + s.result().getStatus())
                                    .toList());
                }
            }
        }
        finals.forEach((id, f) -> {
            if (f.stream().map(s -> s.result().getAttempt()).distinct().count() > 1) {
                unexplained.add(id + " has final results of attempts "
                        + f.stream().map(s -> s.result().getAttempt()).toList());
            }
        });

        long[] usage = new long[2];
        read(new TopicCatalog(config).usage(), UsageRecord.class, (u, partition, offset) -> {
            if (tenant.equals(u.getTenant()) && function.equals(u.getFunction())) {
                usage[0] += u.getBilledMillis();
                usage[1] += u.getMbMillis();
            }
        });
        long usageBilled = usage[0];
        long usageMb = usage[1];

        List<Long> answers = finals.entrySet().stream().filter(e -> accepted.containsKey(e.getKey()))
                .map(e -> e.getValue().get(0).result().getFinishedAt().toEpochMilli())
                .filter(t -> t >= load.startedAt()).sorted().toList();
        List<Long> syncReplies = calls.stream().filter(c -> c.sync() && c.status() == 200)
                .map(LoadGenerator.Call::answeredAt).filter(t -> t >= load.startedAt()).sorted().toList();
        return new Verdict(accepted.values().stream().filter(s -> s).count(),
                accepted.values().stream().filter(s -> !s).count(), gaveUp, results.size(), lostIds.size(),
                answeredTwice, unexplained.size(), unacknowledged, expectedBilled, usageBilled, expectedMb, usageMb,
                longestGap(answers), longestGap(syncReplies), lostIds.stream().limit(20).toList(),
                unexplained.stream().limit(20).toList(), results.stream().collect(Collectors.groupingBy(
                        s -> String.valueOf(s.result().getWorker()), TreeMap::new, Collectors.counting())),
                usageUncommitted());
    }

    /**
     * Billed ms on ferry.usage read_uncommitted: a diagnostic only. When it exceeds the committed sum, metering
     * wrote usage in a transaction that readers cannot see past (open or aborted), rather than writing none.
     */
    private long usageUncommitted() {
        long[] sum = new long[1];
        read(new TopicCatalog(config).usage(), UsageRecord.class, "read_uncommitted", (u, partition, offset) -> {
            if (tenant.equals(u.getTenant()) && function.equals(u.getFunction())) {
                sum[0] += u.getBilledMillis();
            }
        });
        return sum[0];
    }

    private static long longestGap(List<Long> sortedTimes) {
        long longest = 0;
        for (int i = 1; i < sortedTimes.size(); i++) {
            longest = Math.max(longest, sortedTimes.get(i) - sortedTimes.get(i - 1));
        }
        return longest;
    }

    private static boolean isFinal(InvocationResult result) {
        if (result.getFinal$() != null) {
            return result.getFinal$();
        }
        InvocationStatus status = result.getStatus();
        return status != InvocationStatus.FAILED && status != InvocationStatus.TIMED_OUT;
    }

    /** Receives each record of a topic with its position. */
    interface Sink<T> {
        void accept(T value, int partition, long offset);
    }

    /** The whole topic as it is now, read_committed, in offset order within each partition. */
    private <T extends SpecificRecord> void read(String topic, Class<T> type, Sink<T> sink) {
        read(topic, type, "read_committed", sink);
    }

    private <T extends SpecificRecord> void read(String topic, Class<T> type, String isolation, Sink<T> sink) {
        Deserializer<T> deserializer = new AvroSerdes(config).deserializer(type);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaClients(config).consumer(null, "systest-verifier",
                new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    sink.accept(deserializer.deserialize(r.topic(), r.headers(), r.value()), r.partition(),
                            r.offset());
                }
            }
        }
    }
}

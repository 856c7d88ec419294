package dev.ferry.core.kafka;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.topics.TopicSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.HashSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a transaction holds one of Ferry's platform topics for longer than any transaction may run: a readiness
 * check (advisory) for the hanging transactions that KIP-664 describes, while the platform runs. Such a transaction
 * keeps the partition's last stable offset where it began, and every {@code read_committed} reader stops there:
 * metering bills nothing more, result tails answer no more calls, and nothing says why. {@code ferry dev} aborts
 * those a crash left before its services start ({@link HangingTransactions}); a cluster's operator needs to be told.
 *
 * <p>The rule: a partition whose last stable offset is below its high watermark, and has not moved for longer than
 * the longest transaction that may write its topic plus {@link #SLACK} (the transaction coordinator aborts a timed
 * out transaction within its 10 s scan), is stuck. The longest transaction is {@link HangingTransactions#ferryTimeout}
 * on topics only Ferry writes, and Kafka's default {@code transaction.max.timeout.ms} (15 min) on
 * {@code ferry.invocations}, which any producer may write. A partition under steady transactional load has its
 * stable offset below its end at every look, but it moves: only one that stays put is reported.
 *
 * <p>Each stuck partition is logged once at WARN with what to do, and named by {@link #problem()} until it moves.
 * Nothing is aborted here: a running platform cannot tell an operator's long transaction on {@code ferry.invocations}
 * from a lost one as surely as {@code kafka-transactions.sh find-hanging} can. Not thread-safe: ask it from one thread
 * ({@code Readiness.polled}).
 */
public final class StuckTransactions implements ReadinessCheck {

    /** Beyond the longest transaction: the coordinator's abort scan (10 s) and the markers' writes. */
    public static final Duration SLACK = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(StuckTransactions.class);

    /** A partition's last stable offset and high watermark at one look. */
    public record Ends(long stable, long high) {
    }

    /** Where the partitions' ends come from (an admin client's two {@code listOffsets}). */
    @FunctionalInterface
    public interface Lookup {
        /**
         * The ends of every partition of {@code topics} that exist.
         *
         * @throws RuntimeException when they cannot be listed; the check then answers with its message
         */
        Map<TopicPartition, Ends> ends(Set<String> topics);
    }

    private record Held(long stable, Instant since) {
    }

    private final Lookup lookup;
    private final Set<String> topics;
    private final Function<String, Duration> patience;
    private final Clock clock;
    private final Map<TopicPartition, Held> held = new HashMap<>();
    private final Set<TopicPartition> warned = new HashSet<>();

    /**
     * @param topics the topics to watch
     * @param patience how long a partition's stable offset may stay below its end before it is reported, by topic
     *     name: the longest transaction that may write the topic, plus {@link #SLACK}
     */
    public StuckTransactions(Lookup lookup, Set<String> topics, Function<String, Duration> patience, Clock clock) {
        this.lookup = lookup;
        this.topics = Set.copyOf(topics);
        this.patience = patience;
        this.clock = clock;
    }

    /** The watch of a platform configured by {@code config}: its platform topics, by the rule above. */
    public static StuckTransactions forFerry(Lookup lookup, FerryConfig config) {
        return forFerry(lookup, config, Clock.systemUTC());
    }

    /** {@link #forFerry(Lookup, FerryConfig)} on {@code clock}. */
    static StuckTransactions forFerry(Lookup lookup, FerryConfig config, Clock clock) {
        TopicCatalog catalog = new TopicCatalog(config);
        Duration ferry = HangingTransactions.ferryTimeout(config);
        String invocations = catalog.invocations();
        Set<String> topics = catalog.platformTopics().stream().map(TopicSpec::name).collect(Collectors.toSet());
        return new StuckTransactions(lookup, topics,
                topic -> (topic.equals(invocations) ? HangingTransactions.KAFKA_MAX_TIMEOUT : ferry).plus(SLACK),
                clock);
    }

    /**
     * Looks at the partitions' ends now.
     *
     * @return empty when no partition is stuck; otherwise each stuck partition (in name order), its stable offset and
     *     end, and for how long, and what to do
     */
    @Override
    public Optional<String> problem() {
        Map<TopicPartition, Ends> ends = lookup.ends(topics);
        Instant now = clock.instant();
        List<String> stuck = new ArrayList<>();
        held.keySet().retainAll(ends.keySet());
        warned.retainAll(ends.keySet());
        ends.entrySet().stream().sorted(Comparator.comparing(e -> e.getKey().toString())).forEach(e -> {
            TopicPartition partition = e.getKey();
            Ends at = e.getValue();
            if (at.stable() >= at.high()) {
                held.remove(partition);
                warned.remove(partition);
                return;
            }
            Held before = held.get(partition);
            if (before == null || before.stable() != at.stable()) {
                held.put(partition, new Held(at.stable(), now));
                warned.remove(partition);
                return;
            }
            Duration age = Duration.between(before.since(), now);
            if (age.compareTo(patience.apply(partition.topic())) > 0) {
                String what = partition + " at offset " + at.stable() + " (end " + at.high() + ") for "
                        + age.toSeconds() + " s";
                stuck.add(what);
                if (warned.add(partition)) {
                    log.warn("A transaction holds {}, longer than any transaction of its producers may run: a "
                            + "hanging transaction (KIP-664), and every read_committed reader of the partition waits "
                            + "at it. Find and abort it with kafka-transactions.sh find-hanging and abort; "
                            + "ferry dev aborts those a crash left at its next start", what);
                }
            }
        });
        if (stuck.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("a hanging transaction (KIP-664) holds " + String.join(", ", stuck)
                + "; find and abort it with kafka-transactions.sh find-hanging and abort");
    }
}

package dev.ferry.core.kafka;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.topics.TopicCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.DescribeTransactionsResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and aborts hanging transactions the way KIP-664 ("Provide tooling to detect and abort hanging
 * transactions") defines them: a transaction open on a partition ({@code Admin.describeProducers} shows a current
 * transaction start offset) that no transaction coordinator will ever end. Such a transaction holds the partition's
 * last stable offset where it began, so every {@code read_committed} reader of the partition (metering, the
 * gateway's result tails, trigger consumers, {@code __consumer_offsets} readers of transactional commits) stops
 * there for good. The tester of session 10 found some after a SIGKILL of {@code ferry dev} (its broker dies with it)
 * under trigger load: trigger producers' transactions open on {@code ferry.results}, a destination and the
 * trigger group's offsets partition, with no transaction in progress at the coordinator, 25 minutes later.
 *
 * <p>The rule (docs/design.md, "Hanging transactions"), applied to each open transaction
 * {@code (partition, producer id, epoch, last write)}:
 * <ol>
 *   <li>it is older than the longest transaction timeout its producer can have: {@link #ferryTimeout} when that
 *       producer id has an open transaction on one of Ferry's own topics (only Ferry's producers write those, so
 *       it is one of them), else the broker's {@code transaction.max.timeout.ms}, the ceiling of any producer.
 *       Age is measured from the producer's last write to the partition; a live transaction that old has already
 *       been aborted by its coordinator;</li>
 *   <li>and no coordinator holds a transaction of that producer id that is still running (ongoing or preparing
 *       to commit, abort or fence) and includes the partition. A coordinator that is still loading its state
 *       fails the listing, and then nothing is aborted.</li>
 * </ol>
 * Each such transaction is aborted with {@code Admin.abortTransaction}, which writes an ABORT marker for that
 * producer id and epoch to the partition (with the coordinator epoch the partition last saw), and logged at WARN.
 * Open transactions that fail only the first condition are looked at again once old enough, and those their
 * coordinator runs once it should have ended them (a prepared one at once, an ongoing one after its timeout): a
 * coordinator that has just loaded its state may complete a prepared transaction without writing its markers
 * (Kafka's marker channel skips partitions whose leader it cannot find, as "likely deleted", as a broker starting
 * up can). {@link #repair} waits for what falls within its time budget and reports the rest as
 * {@link Report#pending}.
 *
 * <p>Thread-safety: one call at a time.
 */
public final class HangingTransactions {

    private static final Logger log = LoggerFactory.getLogger(HangingTransactions.class);

    /**
     * The transaction timeout of Ferry's transactional producers when the operator sets none: the dispatcher's
     * ({@code Dispatcher.DEFAULT_TRANSACTION_TIMEOUT_MS}), a trigger replica's
     * ({@code TransactionWriter.TRANSACTION_TIMEOUT_MS}) and metering's (Kafka Streams' exactly-once default).
     */
    public static final Duration FERRY_DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Kafka's default {@code transaction.max.timeout.ms}, used when the broker does not say its own. */
    static final Duration KAFKA_MAX_TIMEOUT = Duration.ofMinutes(15);
    /** How many partitions one {@code describeProducers} call asks about; progress is logged per batch. */
    static final int PARTITIONS_PER_CALL = 1_000;
    private static final long CALL_TIMEOUT_MS = 30_000;
    private static final String TRANSACTION_STATE = "__transaction_state";
    /** How soon a prepared transaction's markers should be written: looked at again after this. */
    static final Duration PREPARED_SETTLE = Duration.ofSeconds(1);
    /** Kafka's {@code transaction.abort.timed.out.transaction.cleanup.interval.ms} default. */
    static final Duration TIMEOUT_CHECK_INTERVAL = Duration.ofSeconds(10);
    private static final Set<TransactionState> RUNNING = Set.of(TransactionState.ONGOING,
            TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT, TransactionState.PREPARE_EPOCH_FENCE);

    private final Admin admin;
    private final Predicate<String> ferryTopic;
    private final Duration ferryTimeout;
    private final Clock clock;

    /**
     * @param admin a client of the cluster to repair; not closed here
     * @param ferryTopic whether a topic is one of Ferry's own (only Ferry's producers write it transactionally)
     * @param ferryTimeout the longest transaction timeout of Ferry's producers ({@link #ferryTimeout(FerryConfig)})
     * @param clock the clock ages are measured with (the producers' record timestamps are wall-clock time)
     */
    public HangingTransactions(Admin admin, Predicate<String> ferryTopic, Duration ferryTimeout, Clock clock) {
        this.admin = admin;
        this.ferryTopic = ferryTopic;
        this.ferryTimeout = ferryTimeout;
        this.clock = clock;
    }

    /**
     * The repair for a Ferry installation configured by {@code config}: Ferry's own topics are those named with its
     * topic prefix or its group-name prefix (metering's internal topics), the timeout {@link #ferryTimeout}.
     */
    public static HangingTransactions forFerry(Admin admin, FerryConfig config) {
        TopicCatalog catalog = new TopicCatalog(config);
        String prefix = config.topicPrefix();
        String groupPrefix = catalog.groupNamePrefix();
        return new HangingTransactions(admin, topic -> topic.startsWith(prefix) || topic.startsWith(groupPrefix),
                ferryTimeout(config), Clock.systemUTC());
    }

    /**
     * The longest transaction timeout Ferry's producers run with under {@code config}: {@link #FERRY_DEFAULT_TIMEOUT},
     * or the operator's {@code kafka.transaction.timeout.ms} when that is longer.
     */
    public static Duration ferryTimeout(FerryConfig config) {
        Object configured = config.kafkaClientProperties().get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        if (configured == null) {
            return FERRY_DEFAULT_TIMEOUT;
        }
        Duration operator = Duration.ofMillis(Long.parseLong(configured.toString().trim()));
        return operator.compareTo(FERRY_DEFAULT_TIMEOUT) > 0 ? operator : FERRY_DEFAULT_TIMEOUT;
    }

    /** One aborted transaction: where, whose, and how long since its producer last wrote there. */
    public record Aborted(TopicPartition partition, long producerId, int producerEpoch, Duration age) {
    }

    /**
     * What one {@link #repair} did.
     *
     * @param partitions how many partitions were looked at
     * @param aborted the hanging transactions aborted
     * @param pending when to look again, beyond the budget: the earliest instant an open transaction becomes old
     *        enough or should have been ended by its coordinator; empty when nothing is left to look at
     * @param complete false when the budget ran out or a call failed before every partition was looked at
     */
    public record Report(int partitions, List<Aborted> aborted, Optional<Instant> pending, boolean complete) {
    }

    private record Open(TopicPartition partition, ProducerState producer) {
    }

    /**
     * Looks at every partition of the cluster (internal topics too: {@code __consumer_offsets} holds transactional
     * offset commits) and aborts its hanging transactions, waiting for those not yet old enough when they become
     * so within {@code budget}. Never throws for the cluster's sake: a failed or timed-out call ends the repair with
     * {@code complete} false, logged at WARN.
     *
     * @param budget how long the whole repair may take, waits included
     */
    public Report repair(Duration budget) {
        long deadline = System.nanoTime() + budget.toNanos();
        List<Aborted> aborted = new ArrayList<>();
        int partitions = 0;
        try {
            List<TopicPartition> all = partitions(deadline);
            partitions = all.size();
            Duration brokerMax = brokerMaxTimeout(deadline);
            while (true) {
                Optional<Instant> pending = pass(all, brokerMax, aborted, deadline);
                if (pending.isEmpty()) {
                    return new Report(partitions, aborted, Optional.empty(), true);
                }
                long waitNanos = Duration.between(clock.instant(), pending.get()).toNanos();
                if (System.nanoTime() + waitNanos >= deadline) {
                    log.info("Open transactions not old enough to abort, or that their coordinators should end, are "
                            + "looked at again only at {}, after this repair's budget of {} s: left for later",
                            pending.get(), budget.toSeconds());
                    return new Report(partitions, aborted, pending, true);
                }
                log.info("Looking at open transactions again in {} ms: some are not old enough to abort yet, or "
                        + "their coordinators should end them by then", Math.max(0, waitNanos / 1_000_000));
                TimeUnit.NANOSECONDS.sleep(Math.max(0, waitNanos) + TimeUnit.MILLISECONDS.toNanos(100));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Report(partitions, aborted, Optional.empty(), false);
        } catch (RuntimeException | ExecutionException | TimeoutException e) {
            log.warn("Could not finish looking for hanging transactions on {} partitions (aborted {}): {}",
                    partitions, aborted.size(), e.toString());
            return new Report(partitions, aborted, Optional.empty(), false);
        }
    }

    /** One look at every partition: aborts what is hanging, and says when the not-yet-old-enough ones will be. */
    private Optional<Instant> pass(List<TopicPartition> all, Duration brokerMax, List<Aborted> aborted,
            long deadline) throws InterruptedException, ExecutionException, TimeoutException {
        List<Open> open = openTransactions(all, deadline);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        Set<Long> ferryProducers = new HashSet<>();
        for (Open candidate : open) {
            if (ferryTopic.test(candidate.partition().topic())) {
                ferryProducers.add(candidate.producer().producerId());
            }
        }
        Map<Long, TransactionDescription> running = runningAtCoordinators(open, deadline);
        Instant now = clock.instant();
        Optional<Instant> pending = Optional.empty();
        for (Open candidate : open) {
            ProducerState producer = candidate.producer();
            TransactionDescription coordinator = running.get(producer.producerId());
            if (coordinator != null && coordinator.topicPartitions().contains(candidate.partition())) {
                // Its coordinator ends it itself; but a coordinator that has just loaded its state may complete a
                // prepared transaction without writing its markers (Kafka skips the partitions whose leader it
                // cannot find yet, "likely deleted"), so look again once it should have ended.
                pending = earliest(pending, endExpected(coordinator, now));
                continue;
            }
            Duration timeout = ferryProducers.contains(producer.producerId()) ? ferryTimeout : brokerMax;
            Instant oldEnough = Instant.ofEpochMilli(producer.lastTimestamp()).plus(timeout);
            if (!now.isAfter(oldEnough)) {
                pending = earliest(pending, oldEnough);
                continue;
            }
            Duration age = Duration.between(Instant.ofEpochMilli(producer.lastTimestamp()), now);
            try {
                admin.abortTransaction(new AbortTransactionSpec(candidate.partition(), producer.producerId(),
                        (short) producer.producerEpoch(), producer.coordinatorEpoch().orElse(0)))
                        .all().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                // e.g. the producer wrote again meanwhile with a newer epoch, which fences this marker: not hanging
                log.warn("Could not abort the open transaction on {} of producer id {}, epoch {}: {}",
                        candidate.partition(), producer.producerId(), producer.producerEpoch(),
                        e.getCause().toString());
                continue;
            }
            log.warn("Aborted a hanging transaction on {}: producer id {}, epoch {}, open since offset {}, last "
                    + "written {} s ago, and no transaction coordinator runs it (KIP-664)",
                    candidate.partition(), producer.producerId(), producer.producerEpoch(),
                    producer.currentTransactionStartOffset().orElse(-1), age.toSeconds());
            aborted.add(new Aborted(candidate.partition(), producer.producerId(), producer.producerEpoch(), age));
        }
        return pending;
    }

    private static Optional<Instant> earliest(Optional<Instant> pending, Instant candidate) {
        return Optional.of(pending.filter(p -> p.isBefore(candidate)).orElse(candidate));
    }

    /**
     * When a transaction its coordinator runs should have ended: a prepared one within moments (its markers are
     * being written), an ongoing one once its coordinator's periodic check has aborted it after its timeout.
     */
    private static Instant endExpected(TransactionDescription coordinator, Instant now) {
        if (coordinator.state() != TransactionState.ONGOING) {
            return now.plus(PREPARED_SETTLE);
        }
        Instant started = Instant.ofEpochMilli(coordinator.transactionStartTimeMs().orElse(now.toEpochMilli()));
        Instant expected = started.plusMillis(coordinator.transactionTimeoutMs()).plus(TIMEOUT_CHECK_INTERVAL);
        return expected.isAfter(now) ? expected : now.plus(PREPARED_SETTLE);
    }

    private List<TopicPartition> partitions(long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
                .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        List<String> scanned = topics.stream()
                .filter(topic -> !topic.equals(TRANSACTION_STATE)) // no producer writes it
                .sorted().toList();
        Map<String, TopicDescription> described = admin.describeTopics(scanned).allTopicNames()
                .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        List<TopicPartition> all = new ArrayList<>();
        for (TopicDescription topic : described.values()) {
            topic.partitions().forEach(p -> all.add(new TopicPartition(topic.name(), p.partition())));
        }
        return all;
    }

    private List<Open> openTransactions(List<TopicPartition> all, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<Open> open = new ArrayList<>();
        for (int from = 0; from < all.size(); from += PARTITIONS_PER_CALL) {
            List<TopicPartition> batch = all.subList(from, Math.min(all.size(), from + PARTITIONS_PER_CALL));
            DescribeProducersResult result = admin.describeProducers(batch);
            for (TopicPartition partition : batch) {
                PartitionProducerState state;
                try {
                    state = result.partitionResult(partition).get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    // e.g. no leader: nothing can be read from it anyway, and it is looked at on the next start
                    log.warn("Cannot describe the producers of {}: {}", partition, e.getCause().toString());
                    continue;
                }
                state.activeProducers().stream()
                        .filter(producer -> producer.currentTransactionStartOffset().isPresent())
                        .forEach(producer -> open.add(new Open(partition, producer)));
            }
            if (all.size() > PARTITIONS_PER_CALL) {
                log.info("Looked for open transactions on {} of {} partitions", from + batch.size(), all.size());
            }
        }
        return open;
    }

    /** For each producer id with an open transaction, the transaction its coordinator runs now, if any. */
    private Map<Long, TransactionDescription> runningAtCoordinators(Collection<Open> open, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<Long> producerIds = new HashSet<>();
        open.forEach(candidate -> producerIds.add(candidate.producer().producerId()));
        awaitCoordinatorsLoaded(deadline);
        // Fails while any coordinator is still loading its state (COORDINATOR_LOAD_IN_PROGRESS): then nothing is
        // known and nothing may be aborted; retried until the deadline.
        Collection<TransactionListing> listings = retryWhileLoading(() -> admin.listTransactions(
                new ListTransactionsOptions().filterProducerIds(producerIds)).all(), deadline);
        List<String> runningIds = listings.stream().filter(listing -> RUNNING.contains(listing.state()))
                .map(TransactionListing::transactionalId).toList();
        Map<Long, TransactionDescription> running = new HashMap<>();
        if (runningIds.isEmpty()) {
            return running;
        }
        Map<String, TransactionDescription> descriptions = retryWhileLoading(
                () -> admin.describeTransactions(runningIds).all(), deadline);
        for (TransactionDescription description : descriptions.values()) {
            if (RUNNING.contains(description.state())) {
                running.put(description.producerId(), description);
            }
        }
        return running;
    }

    /**
     * Returns once every partition of {@code __transaction_state} has a coordinator that has loaded it. Needed
     * because a broker that has just started answers {@code listTransactions} with an empty list, and no error, for
     * the partitions whose coordinator it has not become yet: everything would look unknown to the coordinators, a
     * live transaction included. One transactional id that hashes to each partition (Kafka's
     * {@code abs(hashCode) % partitions}) is described: the admin client retries until that partition's coordinator
     * has loaded it, which then answers that it does not know the id.
     */
    private void awaitCoordinatorsLoaded(long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        int partitions = admin.describeTopics(List.of(TRANSACTION_STATE)).allTopicNames()
                .get(remainingMs(deadline), TimeUnit.MILLISECONDS).get(TRANSACTION_STATE).partitions().size();
        Map<Integer, String> probes = new HashMap<>();
        for (int i = 0; probes.size() < partitions; i++) {
            String id = "ferry-hanging-transactions-probe-" + i;
            probes.putIfAbsent((id.hashCode() & 0x7fffffff) % partitions, id);
        }
        DescribeTransactionsResult answers = admin.describeTransactions(probes.values());
        for (String probe : probes.values()) {
            try {
                answers.description(probe).get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TransactionalIdNotFoundException)) {
                    throw e;
                }
            }
        }
    }

    private interface Call<T> {
        KafkaFuture<T> start();
    }

    private static <T> T retryWhileLoading(Call<T> call, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        while (true) {
            try {
                return call.start().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)
                        || remainingMs(deadline) <= 200) {
                    throw e;
                }
                log.debug("Transaction coordinators not ready yet ({}), asking again", e.getCause().toString());
                Thread.sleep(200);
            }
        }
    }

    private Duration brokerMaxTimeout(long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        Duration max = Duration.ZERO;
        Collection<org.apache.kafka.common.Node> nodes = admin.describeCluster().nodes()
                .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        List<ConfigResource> brokers = nodes.stream()
                .map(node -> new ConfigResource(ConfigResource.Type.BROKER, node.idString())).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(brokers).all()
                .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        for (Config config : configs.values()) {
            ConfigEntry entry = config.get("transaction.max.timeout.ms");
            if (entry != null && entry.value() != null) {
                Duration broker = Duration.ofMillis(Long.parseLong(entry.value()));
                max = broker.compareTo(max) > 0 ? broker : max;
            }
        }
        return max.isZero() ? KAFKA_MAX_TIMEOUT : max;
    }

    private static long remainingMs(long deadline) throws TimeoutException {
        long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (remaining <= 0) {
            throw new TimeoutException("the time budget ran out");
        }
        return Math.min(remaining, CALL_TIMEOUT_MS);
    }
}

package dev.ferry.ingest.internal;

import dev.ferry.core.DaemonThreads;
import dev.ferry.core.FerryException;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.schemas.InvocationResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Correlates results with the calls waiting for them, for the gateway and the Java client alike.
 *
 * <p>It follows every partition of one or more result topics with a {@link TopicTail} each, without a consumer
 * group: results are keyed by invocation id, so the one an instance waits for may land on any partition, and with a
 * group each of two readers would see only half of them. The Java client follows {@code ferry.results}, which holds
 * everything; a gateway follows its own reply topic and the shared asynchronous one (issue 15, part 5), which hold
 * only what it may be asked for, so its read cost does not grow with the number of gateways.
 *
 * <p>A caller registers with {@link #expect} <em>before</em> producing its request, so the result cannot slip past.
 * The waiter completes with the first final result (see {@link Finality}) and with nothing else: at its deadline it
 * fails with a {@link TimeoutException}, also when intermediate results came (their message names the latest
 * attempt). A non-final result is never the answer of a call: another attempt follows it, and a caller that took a
 * retried attempt's TIMED_OUT or FAILED for the outcome and called again would run the function twice (docs/design.md,
 * "HTTP API": a wait that ends before the final result answers "pending, fetch it later").
 *
 * <p>Waiters are keyed by tenant and invocation id (issue 12): ids are chosen by clients on the Kafka path, so
 * another tenant's result with the same id must never complete this tenant's waiter.
 */
public final class ResultRouter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResultRouter.class);
    private static final Duration PARTITION_CHECK = Duration.ofSeconds(30);

    private final Duration partitionCheck;

    private static final class Waiter {
        final CompletableFuture<InvocationResult> future = new CompletableFuture<>();
        final int maxAttempts;
        /** The latest intermediate result: only named in the timeout's message, never the waiter's answer. */
        volatile InvocationResult latest;

        Waiter(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }
    }

    private final KafkaClients clients;
    /** The topic {@link #start} follows; null when built for {@link #follow} only. */
    private final String topic;
    private final Deserializer<InvocationResult> deserializer;
    private final String clientId;
    private record WaitKey(String tenant, String invocationId) {
    }

    private final Map<WaitKey, Waiter> waiters = new ConcurrentHashMap<>();
    /** How many tenants wait for each id here: lets the reader skip decoding results no one waits for. */
    private final Map<String, Integer> waitingIds = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final List<TopicTail> tails = new CopyOnWriteArrayList<>();
    private final Map<String, LongAdder> read = new ConcurrentHashMap<>();

    public ResultRouter(KafkaClients clients, String resultsTopic, Deserializer<InvocationResult> deserializer,
            String clientId) {
        this(clients, resultsTopic, deserializer, clientId, PARTITION_CHECK);
    }

    /** With how soon partitions added to the results topic are followed. */
    public ResultRouter(KafkaClients clients, String resultsTopic, Deserializer<InvocationResult> deserializer,
            String clientId, Duration partitionCheck) {
        this.partitionCheck = partitionCheck;
        this.clients = clients;
        this.topic = resultsTopic;
        this.deserializer = deserializer;
        this.clientId = clientId;
        this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory(clientId + "-timeouts"));
    }

    /** For a reader that follows its topics with {@link #follow}. */
    public ResultRouter(KafkaClients clients, Deserializer<InvocationResult> deserializer, String clientId,
            Duration partitionCheck) {
        this(clients, null, deserializer, clientId, partitionCheck);
    }

    /**
     * Starts reading the results topic given at construction. With {@code readFrom} null, only results written from
     * now on are seen; otherwise reading starts at the first result at or after that instant and every result goes
     * to {@code everyResult} (the gateway's store), the old ones first.
     *
     * <p>Positions are fixed before this returns, so a request produced afterwards cannot have its result missed.
     */
    public synchronized ResultRouter start(Instant readFrom, Consumer<InvocationResult> everyResult) {
        if (!tails.isEmpty()) {
            return this;
        }
        if (topic == null) {
            throw new IllegalStateException("No results topic given: use follow(topic, ...)");
        }
        return follow(topic, readFrom == null ? TopicTail.Start.end() : TopicTail.Start.at(readFrom), everyResult);
    }

    /**
     * Also follows {@code resultTopic} from {@code from}; every result read goes to {@code everyResult} (may be null)
     * and completes its waiter. Positions are fixed before this returns.
     */
    public synchronized ResultRouter follow(String resultTopic, TopicTail.Start from,
            Consumer<InvocationResult> everyResult) {
        LongAdder count = read.computeIfAbsent(resultTopic, t -> new LongAdder());
        TopicTail created = TopicTail.builder(clients, resultTopic, record -> {
            count.increment();
            handle(record, everyResult);
        }).name(clientId + "-" + resultTopic).from(from).partitionCheck(partitionCheck).build();
        created.start();
        tails.add(created);
        return this;
    }

    /** How many records were read from {@code resultTopic} since this router started: its read cost. */
    public long recordsRead(String resultTopic) {
        LongAdder count = read.get(resultTopic);
        return count == null ? 0 : count.sum();
    }

    /** True once every result present now has been read (in time), on every topic followed. */
    public boolean awaitCaughtUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (tails.isEmpty()) {
            return false;
        }
        for (TopicTail tail : tails) {
            if (!tail.awaitReadToEnd(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    /** Ready while every tail has caught up with its topic and follows it live. */
    public ReadinessCheck readiness() {
        return () -> {
            if (tails.isEmpty()) {
                return Optional.of("result reader " + clientId + " is not started");
            }
            for (TopicTail tail : tails) {
                Optional<String> failing = tail.readiness().problem();
                if (failing.isPresent()) {
                    return failing;
                }
            }
            return Optional.empty();
        };
    }

    /**
     * Waits for the final result of {@code tenant}'s invocation; only a result naming that tenant completes it.
     * Call before producing the request.
     *
     * @param maxAttempts the function's {@code maxAttempts}, used only for results that do not say whether they are
     *     final ({@link Finality})
     * @param wait how long to wait before giving up
     * @return completes with the final result only; fails with a {@link TimeoutException} when none came within
     *     {@code wait}, whether or not intermediate results came (the invocation is then still pending)
     */
    public CompletableFuture<InvocationResult> expect(String tenant, String invocationId, int maxAttempts,
            Duration wait) {
        WaitKey key = new WaitKey(tenant, invocationId);
        Waiter waiter = new Waiter(maxAttempts);
        if (waiters.putIfAbsent(key, waiter) != null) {
            throw new IllegalStateException("Already waiting for invocation " + invocationId + " of " + tenant);
        }
        waitingIds.merge(invocationId, 1, Integer::sum);
        timer.schedule(() -> expire(key, waiter, wait), wait.toMillis(), TimeUnit.MILLISECONDS);
        return waiter.future;
    }

    /**
     * Stops waiting (the request could not be sent). The future is left as it is, for the caller to complete
     * with the reason.
     */
    public void forget(String tenant, String invocationId) {
        WaitKey key = new WaitKey(tenant, invocationId);
        Waiter waiter = waiters.get(key);
        if (waiter != null) {
            remove(key, waiter);
        }
    }

    private boolean remove(WaitKey key, Waiter waiter) {
        if (!waiters.remove(key, waiter)) {
            return false;
        }
        waitingIds.computeIfPresent(key.invocationId(), (id, count) -> count == 1 ? null : count - 1);
        return true;
    }

    /**
     * Ends every wait now, as if its time were up (the gateway is stopping): each waiter fails with a
     * {@link TimeoutException} naming {@code why}, so each caller can still be answered "pending". A final result
     * completes its waiter as it is read, so every waiter left here has none.
     */
    public void expireAll(String why) {
        waiters.forEach((key, waiter) -> {
            if (remove(key, waiter)) {
                waiter.future.completeExceptionally(pending(key, waiter, "yet: " + why));
            }
        });
    }

    public int waiting() {
        return waiters.size();
    }

    private void expire(WaitKey key, Waiter waiter, Duration wait) {
        if (remove(key, waiter)) {
            waiter.future.completeExceptionally(pending(key, waiter, "within " + wait.toMillis() + " ms"));
        }
    }

    /**
     * The wait ended before a final result: the invocation is still pending. An intermediate result seen is only
     * named (its attempt and status), never handed over as the outcome: another attempt follows it.
     */
    private static TimeoutException pending(WaitKey key, Waiter waiter, String when) {
        InvocationResult latest = waiter.latest;
        if (latest == null) {
            return new TimeoutException("No result for invocation " + key.invocationId() + " " + when);
        }
        return new TimeoutException("No final result for invocation " + key.invocationId() + " " + when
                + " (attempt " + latest.getAttempt() + " " + latest.getStatus() + ", another attempt follows)");
    }

    private void handle(ConsumerRecord<byte[], byte[]> record, Consumer<InvocationResult> everyResult) {
        // The key is the invocation id: skip decoding results no one here waits for, unless all are wanted.
        boolean awaited = record.key() == null
                || waitingIds.containsKey(new String(record.key(), StandardCharsets.UTF_8));
        if (!awaited && everyResult == null) {
            return;
        }
        InvocationResult result;
        try {
            result = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            log.warn("Skipping undecodable result at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        if (result == null) {
            return;
        }
        if (everyResult != null) {
            try {
                everyResult.accept(result);
            } catch (RuntimeException e) {
                log.error("Result listener failed on invocation {}", result.getInvocationId(), e);
            }
        }
        WaitKey key = new WaitKey(result.getTenant(), result.getInvocationId());
        Waiter waiter = waiters.get(key);
        if (waiter != null) {
            waiter.latest = result;
            if (Finality.isFinal(result, waiter.maxAttempts) && remove(key, waiter)) {
                waiter.future.complete(result);
            }
        }
    }

    @Override
    public void close() {
        tails.forEach(TopicTail::close);
        timer.shutdownNow();
        waiters.values().forEach(w -> w.future.completeExceptionally(
                new FerryException("Result router " + clientId + " closed")));
        waiters.clear();
        waitingIds.clear();
    }
}

package dev.ferry.ingest.internal;

import dev.ferry.core.FerryException;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.Partitions;
import dev.ferry.schemas.InvocationResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Correlates results with the calls waiting for them, for the gateway and the Java client alike.
 *
 * <p>It reads every partition of {@code ferry.results} without a consumer group: results are keyed by invocation
 * id, so the one an instance waits for may land on any partition, and with a group each of two gateways would see
 * only half of them. Every instance reads everything and completes only its own waiters; the cost is that each
 * instance reads the whole result stream.
 *
 * <p>A caller registers with {@link #expect} <em>before</em> producing its request, so the result cannot slip past.
 * The waiter completes with the first final result (see {@link Finality}); at its deadline it completes with the
 * last intermediate result seen, if any, or with a {@link TimeoutException}.
 */
public final class ResultRouter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ResultRouter.class);
    private static final Duration TOPIC_WAIT = Duration.ofSeconds(30);
    private static final Duration PARTITION_CHECK = Duration.ofSeconds(30);

    private final Duration partitionCheck;

    private static final class Waiter {
        final CompletableFuture<InvocationResult> future = new CompletableFuture<>();
        final int maxAttempts;
        volatile InvocationResult latest;

        Waiter(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }
    }

    private final KafkaClients clients;
    private final String topic;
    private final Deserializer<InvocationResult> deserializer;
    private final String clientId;
    private final Map<String, Waiter> waiters = new ConcurrentHashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final ScheduledExecutorService timer;
    private volatile boolean running;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread reader;

    public ResultRouter(KafkaClients clients, String resultsTopic, Deserializer<InvocationResult> deserializer,
            String clientId) {
        this(clients, resultsTopic, deserializer, clientId, PARTITION_CHECK);
    }

    /** With how often to look for partitions added to the results topic. */
    public ResultRouter(KafkaClients clients, String resultsTopic, Deserializer<InvocationResult> deserializer,
            String clientId, Duration partitionCheck) {
        this.partitionCheck = partitionCheck;
        this.clients = clients;
        this.topic = resultsTopic;
        this.deserializer = deserializer;
        this.clientId = clientId;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, clientId + "-timeouts");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts reading. With {@code readFrom} null, only results written from now on are seen; otherwise reading
     * starts at the first result at or after that instant and every result goes to {@code everyResult} (the
     * gateway's store), the old ones first.
     *
     * <p>Positions are fixed before this returns, so a request produced afterwards cannot have its result missed.
     */
    public synchronized ResultRouter start(Instant readFrom, Consumer<InvocationResult> everyResult) {
        if (running) {
            return this;
        }
        // A short metadata age lets the router notice partitions added to the topic within a minute.
        consumer = clients.consumer(null, clientId, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                Map.of(ConsumerConfig.METADATA_MAX_AGE_CONFIG, (int) partitionCheck.toMillis()));
        try {
            List<TopicPartition> partitions = Partitions.await(consumer, topic, TOPIC_WAIT);
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            if (readFrom == null) {
                consumer.seekToEnd(partitions);
            } else {
                Map<TopicPartition, Long> query = new HashMap<>();
                partitions.forEach(p -> query.put(p, readFrom.toEpochMilli()));
                Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
                for (TopicPartition p : partitions) {
                    OffsetAndTimestamp at = found.get(p);
                    consumer.seek(p, at != null ? at.offset() : end.get(p));
                }
            }
            partitions.forEach(consumer::position); // resolve lazy seeks now, not at the first poll
            running = true;
            reader = new Thread(() -> readLoop(end, everyResult), clientId);
            reader.setDaemon(true);
            reader.start();
            return this;
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /** True once every result present at {@link #start} has been read. */
    public boolean awaitCaughtUp(Duration timeout) {
        try {
            return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    public boolean isRunning() {
        return running;
    }

    /**
     * Waits for the final result of an invocation. Call before producing the request.
     *
     * @param maxAttempts the function's {@code maxAttempts}: a failure before the last attempt is not final
     * @param wait how long to wait before giving up
     */
    public CompletableFuture<InvocationResult> expect(String invocationId, int maxAttempts, Duration wait) {
        Waiter waiter = new Waiter(maxAttempts);
        if (waiters.putIfAbsent(invocationId, waiter) != null) {
            throw new IllegalStateException("Already waiting for invocation " + invocationId);
        }
        timer.schedule(() -> expire(invocationId, waiter, wait), wait.toMillis(), TimeUnit.MILLISECONDS);
        return waiter.future;
    }

    /**
     * Stops waiting (the request could not be sent). The future is left as it is, for the caller to complete
     * with the reason.
     */
    public void forget(String invocationId) {
        waiters.remove(invocationId);
    }

    /**
     * Ends every wait now, as if its time were up (the gateway is stopping): a waiter with a result so far gets
     * it, the others a {@link TimeoutException} naming {@code why}, so each caller can still be answered.
     */
    public void expireAll(String why) {
        waiters.forEach((invocationId, waiter) -> {
            if (waiters.remove(invocationId, waiter)) {
                InvocationResult latest = waiter.latest;
                if (latest != null) {
                    waiter.future.complete(latest);
                } else {
                    waiter.future.completeExceptionally(new TimeoutException("No result for invocation "
                            + invocationId + " yet: " + why));
                }
            }
        });
    }

    public int waiting() {
        return waiters.size();
    }

    private void expire(String invocationId, Waiter waiter, Duration wait) {
        if (waiters.remove(invocationId, waiter)) {
            InvocationResult latest = waiter.latest;
            if (latest != null) {
                waiter.future.complete(latest);
            } else {
                waiter.future.completeExceptionally(new TimeoutException("No result for invocation "
                        + invocationId + " within " + wait.toMillis() + " ms"));
            }
        }
    }

    private void readLoop(Map<TopicPartition, Long> endAtStart, Consumer<InvocationResult> everyResult) {
        long nextPartitionCheck = System.nanoTime() + partitionCheck.toNanos();
        try {
            while (running) {
                if (System.nanoTime() - nextPartitionCheck > 0) {
                    nextPartitionCheck = System.nanoTime() + partitionCheck.toNanos();
                    followNewPartitions();
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    handle(record, everyResult);
                }
                if (caughtUp.getCount() > 0 && endAtStart.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            log.error("Result router {} stopped reading {}: {}", clientId, topic, e.toString(), e);
        } finally {
            running = false;
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> record, Consumer<InvocationResult> everyResult) {
        // The key is the invocation id: skip decoding results no one here waits for, unless all are wanted.
        Waiter waiter = record.key() == null ? null
                : waiters.get(new String(record.key(), StandardCharsets.UTF_8));
        if (waiter == null && everyResult == null) {
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
        if (waiter == null) {
            waiter = waiters.get(result.getInvocationId());
        }
        if (waiter != null) {
            waiter.latest = result;
            if (Finality.isFinal(result, waiter.maxAttempts) && waiters.remove(result.getInvocationId(), waiter)) {
                waiter.future.complete(result);
            }
        }
    }

    /**
     * An operator may add partitions to {@code ferry.results}; without this, results on them would never reach
     * their waiters. A new partition holds only new results, so it is read from its beginning.
     */
    private void followNewPartitions() {
        List<TopicPartition> now = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        Set<TopicPartition> assigned = consumer.assignment();
        List<TopicPartition> added = now.stream().filter(p -> !assigned.contains(p)).toList();
        if (!added.isEmpty()) {
            Set<TopicPartition> all = new HashSet<>(assigned);
            all.addAll(added);
            consumer.assign(all);
            consumer.seekToBeginning(added);
            log.info("Result router {} now also reads {}", clientId, added);
        }
    }

    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            thread = reader;
            if (running) {
                running = false;
                consumer.wakeup();
            }
        }
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        timer.shutdownNow();
        waiters.values().forEach(w -> w.future.completeExceptionally(
                new FerryException("Result router " + clientId + " closed")));
        waiters.clear();
    }
}

package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Stand-in worker pools for tests: each replica is a share consumer of the function's work topic in its worker
 * group that spends {@code workMs} on every record, as a function invocation would, and counts what it did.
 */
final class FakePools implements PoolResizer, AutoCloseable {

    private final class Replica {
        final AtomicInteger done = new AtomicInteger();
        final AtomicBoolean stop = new AtomicBoolean();
        KafkaShareConsumer<byte[], byte[]> consumer;
        Thread thread;
    }

    private final KafkaClients clients;
    private final TopicCatalog topics;
    private final long workMs;
    private final Map<FunctionRef, List<Replica>> pools = new ConcurrentHashMap<>();
    private final Map<FunctionRef, List<Integer>> finished = new ConcurrentHashMap<>();
    private final Map<FunctionRef, AtomicInteger> largest = new ConcurrentHashMap<>();

    FakePools(KafkaClients clients, TopicCatalog topics, long workMs) {
        this.clients = clients;
        this.topics = topics;
        this.workMs = workMs;
    }

    @Override
    public synchronized void resize(FunctionRef ref, int replicas) {
        List<Replica> pool = pools.computeIfAbsent(ref, r -> new ArrayList<>());
        while (pool.size() < replicas) {
            pool.add(startReplica(ref, pool.size()));
        }
        while (pool.size() > replicas) {
            Replica replica = pool.remove(pool.size() - 1);
            stop(replica);
            finished.computeIfAbsent(ref, r -> new ArrayList<>()).add(replica.done.get());
        }
        largest.computeIfAbsent(ref, r -> new AtomicInteger()).accumulateAndGet(replicas, Math::max);
    }

    synchronized int size(FunctionRef ref) {
        return pools.getOrDefault(ref, List.of()).size();
    }

    int largest(FunctionRef ref) {
        return largest.getOrDefault(ref, new AtomicInteger()).get();
    }

    /** Records completed by each replica that has run, running or stopped. */
    synchronized List<Integer> donePerReplica(FunctionRef ref) {
        List<Integer> done = new ArrayList<>(finished.getOrDefault(ref, List.of()));
        pools.getOrDefault(ref, List.of()).forEach(r -> done.add(r.done.get()));
        return done;
    }

    synchronized int done(FunctionRef ref) {
        return donePerReplica(ref).stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public synchronized void close() {
        pools.values().forEach(pool -> pool.forEach(this::stop));
        pools.clear();
    }

    private Replica startReplica(FunctionRef ref, int index) {
        Replica replica = new Replica();
        replica.consumer = clients.shareConsumer(topics.workerGroup(ref), "fake-" + ref.function() + "-" + index,
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), Map.of("max.poll.records", 5));
        replica.consumer.subscribe(List.of(topics.work(ref)));
        replica.thread = new Thread(() -> {
            try {
                while (!replica.stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> record : replica.consumer.poll(Duration.ofMillis(100))) {
                        // The simulated function's run time, not a wait for a condition.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(workMs));
                        replica.done.incrementAndGet();
                    }
                }
            } catch (WakeupException e) {
                // stopping
            } finally {
                replica.consumer.close(Duration.ofSeconds(5));
            }
        }, "fake-" + ref.function() + "-" + index);
        replica.thread.start();
        return replica;
    }

    private void stop(Replica replica) {
        replica.stop.set(true);
        replica.consumer.wakeup();
        try {
            replica.thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

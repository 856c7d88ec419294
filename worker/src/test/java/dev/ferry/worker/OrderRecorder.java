package dev.ferry.worker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test function for ORDERED pools: the payload is {@code key:seq}; it notes the order in which each key's
 * invocations start, and how many run at once, then takes a few random milliseconds.
 */
public final class OrderRecorder implements Function {

    static final Map<String, List<Integer>> STARTS = new ConcurrentHashMap<>();
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger MAX_RUNNING = new AtomicInteger();

    @Override
    public byte[] apply(Invocation in) throws InterruptedException {
        String[] parts = in.payloadAsString().split(":");
        int running = RUNNING.incrementAndGet();
        MAX_RUNNING.accumulateAndGet(running, Math::max);
        try {
            STARTS.computeIfAbsent(parts[0], k -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(parts[1]));
            Thread.sleep(ThreadLocalRandom.current().nextInt(4));
            return in.payload();
        } finally {
            RUNNING.decrementAndGet();
        }
    }
}

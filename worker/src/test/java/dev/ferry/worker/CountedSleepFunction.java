package dev.ferry.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test function that sleeps the payload's {@code ms} and counts its runs per invocation id across the JVM
 * ({@link #RUNS}), so a test can tell a record that ran twice from one whose second result was suppressed.
 */
public final class CountedSleepFunction implements Function {

    static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public byte[] apply(Invocation in) throws Exception {
        RUNS.computeIfAbsent(in.invocationId(), id -> new AtomicInteger()).incrementAndGet();
        Thread.sleep(JSON.readTree(in.payload()).path("ms").asLong(0));
        return in.payload();
    }
}

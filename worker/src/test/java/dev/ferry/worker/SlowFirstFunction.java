package dev.ferry.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A trigger's test function: echoes its payload, but the record whose {@code n} is 0 waits until the test opens
 * {@link #gate} (at most {@code slowMs}, env); {@link #FINISHED} counts the calls that returned, across the JVM, so
 * a test can see work done before it commits.
 */
public final class SlowFirstFunction implements Function {

    static final AtomicInteger FINISHED = new AtomicInteger();
    /** Opened by the test when the first record may end; a new latch per test. */
    static volatile CountDownLatch gate = new CountDownLatch(0);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public byte[] apply(Invocation in) throws Exception {
        JsonNode input = JSON.readTree(in.payload());
        if (input.path("n").asInt(-1) == 0) {
            gate.await(Long.parseLong(in.env().getOrDefault("slowMs", "0")), TimeUnit.MILLISECONDS);
        }
        FINISHED.incrementAndGet();
        return in.payload();
    }
}

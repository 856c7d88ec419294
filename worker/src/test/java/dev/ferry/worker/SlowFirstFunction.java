package dev.ferry.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A trigger's test function: echoes its payload, but takes {@code slowMs} (env) on the record whose {@code n} is 0;
 * {@link #FINISHED} counts the calls that returned, across the JVM, so a test can see work done before it commits.
 */
public final class SlowFirstFunction implements Function {

    static final AtomicInteger FINISHED = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public byte[] apply(Invocation in) throws Exception {
        JsonNode input = JSON.readTree(in.payload());
        if (input.path("n").asInt(-1) == 0) {
            Thread.sleep(Long.parseLong(in.env().getOrDefault("slowMs", "0")));
        }
        FINISHED.incrementAndGet();
        return in.payload();
    }
}

package dev.ferry.worker.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code sleep}: payload {@code {"ms": N}}; sleeps N milliseconds (interruptibly, so a timeout ends it), then
 * returns {@code {"slept": N}}. The load generator of demos and scaling tests.
 */
public final class Sleep implements Function {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public byte[] apply(Invocation in) throws IOException, InterruptedException {
        JsonNode ms = in.payload().length == 0 ? null : JSON.readTree(in.payload()).get("ms");
        if (ms == null || !ms.canConvertToLong() || ms.asLong() < 0) {
            throw new IllegalArgumentException("sleep expects a payload like {\"ms\": 100}, got '"
                    + in.payloadAsString() + "'");
        }
        long millis = ms.asLong();
        Thread.sleep(millis);
        in.outputContentType("application/json");
        return ("{\"slept\":" + millis + "}").getBytes(StandardCharsets.UTF_8);
    }
}

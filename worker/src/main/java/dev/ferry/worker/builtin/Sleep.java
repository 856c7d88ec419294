package dev.ferry.worker.builtin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.NonRetriableFerryException;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code sleep}: payload {@code {"ms": N}}; sleeps N milliseconds (interruptibly, so a timeout ends it), then
 * returns {@code {"slept": N}}. The load generator of demos and scaling tests.
 *
 * <p>Any other payload is the caller's error, which no retry cures: it throws {@link NonRetriableFerryException}
 * (reason {@code not_retriable}, one attempt, one bill) whose message says in plain words what was wrong. A
 * malformed payload was once retried and billed three times, and answered with Jackson's parse error.
 */
public final class Sleep implements Function {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public byte[] apply(Invocation in) throws IOException, InterruptedException {
        long millis = millis(in);
        Thread.sleep(millis);
        in.outputContentType("application/json");
        return ("{\"slept\":" + millis + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static long millis(Invocation in) {
        JsonNode ms;
        try {
            ms = in.payload().length == 0 ? null : JSON.readTree(in.payload()).get("ms");
        } catch (JsonProcessingException e) {
            throw new NonRetriableFerryException(USAGE + "; the payload is not valid JSON"
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")"));
        } catch (IOException e) {
            throw new NonRetriableFerryException(USAGE + "; the payload could not be read");
        }
        // A fraction (1.5) is refused, not cut to a whole number: the usage says whole milliseconds.
        if (ms == null || !ms.isNumber() || !ms.canConvertToLong() || ms.asLong() < 0
                || !ms.isIntegralNumber() && ms.decimalValue().stripTrailingZeros().scale() > 0) {
            throw new NonRetriableFerryException(USAGE + ", got " + shown(in.payloadAsString()));
        }
        return ms.asLong();
    }

    private static final String USAGE = "sleep expects a payload like {\"ms\": 100} (a whole number of milliseconds,"
            + " 0 or more)";

    /** The payload quoted, cut at 100 characters: an error travels in results and dead letters. */
    private static String shown(String payload) {
        return payload.isEmpty() ? "an empty payload"
                : "'" + (payload.length() <= 100 ? payload : payload.substring(0, 100) + "...") + "'";
    }
}

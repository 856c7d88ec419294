package dev.ferry.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.TreeMap;

/**
 * A trigger's test function that shows what it was told: answers the invocation's headers as one JSON object,
 * name to value, sorted by name (the tester's {@code hdrs}, an HTTP function echoing its request headers).
 */
public final class HeadersFunction implements Function {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public byte[] apply(Invocation in) throws Exception {
        in.outputContentType("application/json");
        return JSON.writeValueAsBytes(new TreeMap<>(in.headers()));
    }
}

package dev.ferry.worker.builtin;

import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;
import java.nio.charset.StandardCharsets;

/**
 * {@code wordcount}: the payload as UTF-8 text; returns {@code {"words": N}}, N being the number of runs of
 * non-whitespace characters.
 */
public final class WordCount implements Function {
    @Override
    public byte[] apply(Invocation in) {
        String text = in.payloadAsString().strip();
        long words = text.isEmpty() ? 0 : text.split("\\s+").length;
        in.outputContentType("application/json");
        return ("{\"words\":" + words + "}").getBytes(StandardCharsets.UTF_8);
    }
}

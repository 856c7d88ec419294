package dev.ferry.metering;

import dev.ferry.core.config.FerryConfig;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * A metering instance in its own JVM, for the crash test: arguments are {@code key=value} settings, those starting
 * {@code streams.} are Kafka Streams overrides. Runs until its stdin closes (or it is killed, which is the point).
 */
public final class MeteringChildMain {

    private MeteringChildMain() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, Object> ferry = new HashMap<>();
        Map<String, Object> streams = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String key = arg.substring(0, eq);
            String value = arg.substring(eq + 1);
            if (key.startsWith("streams.")) {
                streams.put(key.substring("streams.".length()), value);
            } else {
                ferry.put(key, value);
            }
        }
        try (MeteringService service = new MeteringService(new FerryConfig(ferry), StreamsConfig.EXACTLY_ONCE_V2,
                streams).start()) {
            while (System.in.read() >= 0) {
                // keep running until the parent closes our stdin
            }
        }
    }
}

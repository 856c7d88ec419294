package dev.ferry.bench.internal;

import dev.ferry.embedded.EmbeddedKafka;
import dev.ferry.embedded.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The baseline process of {@code idle-cpu}: what {@code ferry dev} stands on and nothing else, the embedded broker
 * (one node keeping its data in a directory, with dev's broker settings that bear on idle work: the share lock
 * ceiling, the high-watermark checkpoint interval and the metadata no-op interval) and the schema registry, doing
 * nothing.
 * Prints {@link #READY} once both serve and stops when its standard input closes (its parent ended or closed it)
 * or on SIGTERM.
 *
 * <p>{@code java ... dev.ferry.bench.internal.IdleBroker DATA_DIR KAFKA_PORT REGISTRY_PORT}
 */
public final class IdleBroker {

    static final String READY = "idle broker ready";

    private IdleBroker() {
    }

    public static void main(String[] args) throws IOException {
        EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().dataDir(Path.of(args[0]))
                .port(Integer.parseInt(args[1]))
                .brokerProperty("group.share.max.record.lock.duration.ms", "1000000")
                // dev's high-watermark checkpoint interval (DevEnvironment): a periodic per-partition task, so the
                // baseline keeps it as dev does rather than pay Kafka's 5 s for its own partitions.
                .brokerProperty("replica.high.watermark.checkpoint.interval.ms", "60000")
                // dev's metadata no-op interval (DevEnvironment, session 18): an idle controller's only write.
                .brokerProperty("metadata.max.idle.interval.ms", "5000"));
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(),
                Integer.parseInt(args[2]));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            registry.close();
            kafka.close();
        }, "idle-broker-shutdown"));
        System.out.println(READY + " at " + kafka.bootstrapServers() + ", " + registry.url());
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to close our input
        }
        System.exit(0);
    }
}

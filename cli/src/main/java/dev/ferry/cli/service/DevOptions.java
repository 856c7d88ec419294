package dev.ferry.cli.service;

import dev.ferry.cli.Durations;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of {@code ferry dev} and {@code ferry demo}. */
public final class DevOptions {

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--data-dir", defaultValue = ".ferry-data",
            description = "Where the embedded broker, the tenants file and the API key live (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--port", defaultValue = "8080", description = "Gateway and dashboard port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--kafka-port", defaultValue = "9092",
            description = "Embedded Kafka port of a single broker (default: ${DEFAULT-VALUE}); with --brokers above 1 "
                    + "the brokers take free ports, printed at start.")
    int kafkaPort;

    @Option(names = "--brokers", defaultValue = "1",
            description = "Embedded Kafka brokers (default: ${DEFAULT-VALUE}). Above 1, Ferry's topics get min(3, N) "
                    + "replicas (min.insync.replicas 2 from 3 brokers) so a broker can be lost; such a cluster "
                    + "lives in memory and its topics are not kept across restarts.")
    int brokers;

    @Option(names = "--registry-port", defaultValue = "8081",
            description = "Embedded schema registry port (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--metering-port", defaultValue = "8082",
            description = "Usage API port of the metering service (default: ${DEFAULT-VALUE}).")
    int meteringPort;

    @Option(names = "--usage-window", defaultValue = "10s",
            description = "Billing window (default: ${DEFAULT-VALUE}; production default 1m).")
    String usageWindow;

    @Option(names = "--usage-grace", defaultValue = "5s",
            description = "Grace period for late results (default: ${DEFAULT-VALUE}; production default 5m).")
    String usageGrace;

    DevEnvironment.Settings settings() {
        return new DevEnvironment.Settings(dataDir, connection, port, kafkaPort, brokers, registryPort, meteringPort,
                Durations.parseMillis("--usage-window", usageWindow), Durations.parseMillis("--usage-grace", usageGrace));
    }
}

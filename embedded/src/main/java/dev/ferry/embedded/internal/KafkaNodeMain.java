package dev.ferry.embedded.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KRaft node as an OS process of its own, so a test can SIGKILL a broker and start it again on the same data:
 * what Kafka's own system tests do with {@code kafka-server-start.sh}, here from the {@code ferry} jar (which holds
 * this module). The node is Kafka's {@code KafkaRaftServer}, with the same {@link BrokerDefaults} as every embedded
 * cluster.
 *
 * <pre>
 * java -cp ferry.jar dev.ferry.embedded.internal.KafkaNodeMain \
 *   role=controller|broker node.id=N port=P controller=ID@localhost:CP cluster.id=ID data.dir=DIR \
 *   brokers=3 [any.broker.property=value ...]
 * </pre>
 *
 * <ul>
 *   <li>{@code role=controller}: the cluster's one controller, listening on the port of {@code controller}.
 *   <li>{@code role=broker}: a broker listening on {@code PLAINTEXT://localhost:port}.
 *   <li>{@code brokers}: the cluster's broker count, which sizes the internal topics' replication (as
 *       {@link BrokerDefaults#forBrokers(int)}).
 *   <li>{@code data.dir}: formatted with {@code cluster.id} on the first start only; a restart on the same
 *       directory is the same node with its logs.
 * </ul>
 *
 * <p>Every node of a cluster gets the same {@code cluster.id} and {@code controller}. SIGTERM stops the node
 * cleanly (controlled shutdown); SIGKILL is a crash. Errors in the arguments exit with status 2.
 */
public final class KafkaNodeMain {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaNodeMain.class);

    private KafkaNodeMain() {
    }

    public static void main(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                LOG.error("Arguments are key=value, got '{}'", arg);
                System.exit(2);
            }
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Properties config;
        try {
            config = config(options);
        } catch (RuntimeException e) {
            LOG.error("Bad arguments: {}", e.getMessage());
            System.exit(2);
            return;
        }
        Path dataDir = Path.of(options.get("data.dir"));
        Path logDir = dataDir.resolve("kafka");
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dataDir, e);
        }
        config.put("log.dirs", logDir.toString());
        StorageFormat.formatIfNeeded(logDir, config, options.get("cluster.id"), dataDir.resolve("server.properties"));
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "kafka-node-shutdown"));
        server.startup();
        LOG.info("Kafka node {} ({}) started on {}", options.get("node.id"), options.get("role"), dataDir);
        server.awaitShutdown();
    }

    /** The server properties of one node; the keys this class reads are removed, the rest are broker properties. */
    static Properties config(Map<String, String> options) {
        Map<String, String> rest = new LinkedHashMap<>(options);
        String role = required(rest, "role");
        String nodeId = required(rest, "node.id");
        String controller = required(rest, "controller");
        required(rest, "cluster.id");
        required(rest, "data.dir");
        int brokers = Integer.parseInt(rest.getOrDefault("brokers", "1"));
        rest.remove("brokers");
        int at = controller.indexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("controller is ID@host:port, got " + controller);
        }
        String controllerAddress = controller.substring(at + 1);

        Properties config = new Properties();
        config.putAll(BrokerDefaults.forBrokers(brokers));
        config.put("node.id", nodeId);
        config.put("controller.quorum.voters", controller);
        config.put("controller.listener.names", StorageFormat.CONTROLLER_LISTENER);
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        switch (role) {
            case "controller" -> {
                config.put("process.roles", "controller");
                config.put("listeners", "CONTROLLER://" + controllerAddress);
            }
            case "broker" -> {
                String port = required(rest, "port");
                config.put("process.roles", "broker");
                config.put("listeners", "PLAINTEXT://localhost:" + port);
                config.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
                config.put("inter.broker.listener.name", "PLAINTEXT");
            }
            default -> throw new IllegalArgumentException("role is controller or broker, got " + role);
        }
        rest.remove("port");
        config.putAll(rest);
        return config;
    }

    private static String required(Map<String, String> options, String key) {
        String value = options.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
        if (!key.equals("port")) {
            options.remove(key);
        }
        return value;
    }
}

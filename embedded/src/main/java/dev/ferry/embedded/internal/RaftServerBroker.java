package dev.ferry.embedded.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single combined broker+controller node run by Kafka's own {@code KafkaRaftServer}, the same class
 * {@code kafka-server-start.sh} runs, on a data directory of its own.
 *
 * <p>The directory holds {@link NodeIdentity} (cluster id and controller port) and the Kafka log dir. The log dir
 * is formatted on the first start only, so a later start finds the same cluster with its topics and offsets.
 */
public final class RaftServerBroker implements Broker {

    private static final Logger LOG = LoggerFactory.getLogger(RaftServerBroker.class);
    private static final int NODE_ID = 1;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final String bootstrapControllers;
    private final Path deleteOnClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RaftServerBroker(KafkaRaftServer server, String bootstrapServers, String bootstrapControllers,
            Path deleteOnClose) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.bootstrapControllers = bootstrapControllers;
        this.deleteOnClose = deleteOnClose;
    }

    /** Starts on {@code dataDir}, formatting it first if it is new; {@code port} 0 picks a free client port. */
    public static RaftServerBroker startPersistent(Path dataDir, int port, Map<String, String> properties) {
        return start(dataDir, port, properties, null);
    }

    /** Starts on a fresh temporary directory that is deleted on close, listening on {@code port}. */
    public static RaftServerBroker startEphemeral(int port, Map<String, String> properties) {
        Path dir;
        try {
            dir = Files.createTempDirectory("ferry-kafka-");
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create a temporary directory for the embedded broker", e);
        }
        return start(dir, port, properties, dir);
    }

    private static RaftServerBroker start(Path dataDir, int port, Map<String, String> properties,
            Path deleteOnClose) {
        long started = System.nanoTime();
        NodeIdentity identity = NodeIdentity.loadOrCreate(dataDir);
        Path logDir = dataDir.resolve("kafka");
        int clientPort = port != 0 ? port : FreePorts.pick();
        Properties config = serverConfig(identity, logDir, clientPort, properties);
        KafkaRaftServer server = null;
        try {
            StorageFormat.formatIfNeeded(logDir, config, identity.clusterId(), dataDir.resolve("server.properties"));
            server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
            server.startup();
            String bootstrap = "localhost:" + clientPort;
            ClusterReadiness.await(bootstrap, 1, READY_TIMEOUT);
            LOG.info("Embedded Kafka started at {} on {} (cluster {}) in {} ms", bootstrap, dataDir,
                    identity.clusterId(), (System.nanoTime() - started) / 1_000_000);
            return new RaftServerBroker(server, bootstrap, "localhost:" + identity.controllerPort(), deleteOnClose);
        } catch (RuntimeException e) {
            stop(server);
            TempDirectories.deleteQuietly(deleteOnClose, "the embedded broker's");
            throw new IllegalStateException("Embedded Kafka failed to start on " + dataDir + " with client port "
                    + clientPort + ": " + e.getMessage(), e);
        }
    }

    private static Properties serverConfig(NodeIdentity identity, Path logDir, int clientPort,
            Map<String, String> properties) {
        return RaftCluster.nodeConfig(NODE_ID, true, NODE_ID, logDir, clientPort,
                "localhost:" + identity.controllerPort(), properties);
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public int brokerCount() {
        return 1;
    }

    @Override
    public String bootstrapControllers() {
        return bootstrapControllers;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            stop(server);
            TempDirectories.deleteQuietly(deleteOnClose, "the embedded broker's");
            LOG.info("Embedded Kafka at {} stopped", bootstrapServers);
        }
    }

    private static void stop(KafkaRaftServer server) {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Embedded Kafka did not stop cleanly", e);
        }
    }
}

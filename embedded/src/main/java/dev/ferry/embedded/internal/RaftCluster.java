package dev.ferry.embedded.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ephemeral cluster of several nodes, each Kafka's own {@code KafkaRaftServer} as {@link RaftServerBroker} runs
 * one: node 0 is a combined broker and the only controller, nodes 1..n-1 are brokers. Every listener binds
 * {@code localhost}, on ports picked free just before ({@link FreePorts}); a temp dir ({@code ferry-kafka-*}) holds
 * the nodes' logs and is deleted on {@link #close()}.
 *
 * <p>Why not Kafka's test kit, which ran these clusters before: it binds every listener on all interfaces (its
 * {@code PreboundSocketFactoryManager} binds the wildcard address ahead of the node), so {@code ferry dev --brokers 3}
 * put PLAINTEXT brokers holding every tenant's payloads on the network (a tester read the cluster's metadata with
 * {@code kcat} through the host's address). One controller, as before: a three-voter quorum on one small machine
 * sometimes lost its raft threads at start, and replication needs brokers, not voters.
 */
public final class RaftCluster implements Broker {

    private static final Logger LOG = LoggerFactory.getLogger(RaftCluster.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final int CONTROLLER_ID = 0;

    /** The nodes by id; a stopped broker's entry is removed. */
    private final Map<Integer, KafkaRaftServer> nodes;
    private final int brokers;
    private final String bootstrapServers;
    private final String bootstrapControllers;
    private final Path dir;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RaftCluster(Map<Integer, KafkaRaftServer> nodes, String bootstrapServers, String bootstrapControllers,
            Path dir) {
        this.nodes = Collections.synchronizedMap(new LinkedHashMap<>(nodes));
        this.brokers = nodes.size();
        this.bootstrapServers = bootstrapServers;
        this.bootstrapControllers = bootstrapControllers;
        this.dir = dir;
    }

    /** Formats and starts {@code brokers} nodes and waits until every broker answers clients. */
    public static RaftCluster start(int brokers, Map<String, String> properties) {
        long started = System.nanoTime();
        Path dir;
        try {
            dir = Files.createTempDirectory("ferry-kafka-");
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create a temporary directory for the embedded cluster", e);
        }
        String clusterId = Uuid.randomUuid().toString();
        String controller = "localhost:" + FreePorts.pick();
        List<Integer> clientPorts = new ArrayList<>();
        Map<Integer, KafkaRaftServer> nodes = new LinkedHashMap<>();
        try {
            for (int id = 0; id < brokers; id++) {
                int clientPort = FreePorts.pick();
                clientPorts.add(clientPort);
                Path nodeDir = Files.createDirectories(dir.resolve("node-" + id));
                Properties config = nodeConfig(id, id == CONTROLLER_ID, CONTROLLER_ID, nodeDir.resolve("kafka"),
                        clientPort, controller, properties);
                StorageFormat.formatIfNeeded(nodeDir.resolve("kafka"), config, clusterId,
                        nodeDir.resolve("server.properties"));
                KafkaRaftServer node = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
                nodes.put(id, node);
                node.startup();
            }
            String bootstrap = clientPorts.stream().map(port -> "localhost:" + port).collect(Collectors.joining(","));
            ClusterReadiness.await(bootstrap, brokers, READY_TIMEOUT);
            LOG.info("Embedded Kafka started: {} broker(s) at {} in {} ms", brokers, bootstrap,
                    (System.nanoTime() - started) / 1_000_000);
            return new RaftCluster(nodes, bootstrap, controller, dir);
        } catch (IOException | RuntimeException e) {
            stopAll(nodes);
            TempDirectories.deleteQuietly(dir, "the embedded cluster's");
            throw new IllegalStateException("Embedded Kafka cluster of " + brokers + " broker(s) failed to start: "
                    + e.getMessage(), e);
        }
    }

    /**
     * One node's server properties: a PLAINTEXT listener on {@code localhost:clientPort}, and on the node that runs
     * it, the controller's listener at {@code controller} ({@code localhost:port}), the quorum's only voter;
     * {@code properties} last, so they win.
     */
    static Properties nodeConfig(int id, boolean runsController, int controllerId, Path logDir, int clientPort,
            String controller, Map<String, String> properties) {
        Properties config = new Properties();
        config.put("process.roles", runsController ? "broker,controller" : "broker");
        config.put("node.id", String.valueOf(id));
        config.put("controller.quorum.voters", controllerId + "@" + controller);
        config.put("listeners", "PLAINTEXT://localhost:" + clientPort
                + (runsController ? "," + StorageFormat.CONTROLLER_LISTENER + "://" + controller : ""));
        config.put("advertised.listeners", "PLAINTEXT://localhost:" + clientPort);
        config.put("controller.listener.names", StorageFormat.CONTROLLER_LISTENER);
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("log.dirs", logDir.toString());
        config.putAll(properties);
        return config;
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public int brokerCount() {
        return brokers;
    }

    @Override
    public String bootstrapControllers() {
        return bootstrapControllers;
    }

    /**
     * Node 0 also runs the only controller, so stopping it would take the quorum down with it: only the brokers
     * 1..n-1 may be stopped. Blocks until the broker has shut down; its replicas then drop out of the ISR.
     */
    @Override
    public void stopBroker(int nodeId) {
        KafkaRaftServer node = nodeId == CONTROLLER_ID ? null : nodes.remove(nodeId);
        if (node == null) {
            throw new IllegalArgumentException("Can stop brokers " + stoppable() + " only (node 0 runs the "
                    + "controller), not " + nodeId);
        }
        stop(node);
        LOG.info("Embedded Kafka broker {} stopped", nodeId);
    }

    private List<Integer> stoppable() {
        synchronized (nodes) {
            return nodes.keySet().stream().filter(id -> id != CONTROLLER_ID).sorted().toList();
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Map<Integer, KafkaRaftServer> running;
            synchronized (nodes) {
                running = new LinkedHashMap<>(nodes);
                nodes.clear();
            }
            stopAll(running);
            TempDirectories.deleteQuietly(dir, "the embedded cluster's");
            LOG.info("Embedded Kafka stopped");
        }
    }

    /** The brokers first, the controller last: a broker stopping after it would wait for it in vain. */
    private static void stopAll(Map<Integer, KafkaRaftServer> nodes) {
        List<Integer> ids = new ArrayList<>(nodes.keySet());
        Collections.reverse(ids);
        ids.forEach(id -> stop(nodes.get(id)));
    }

    private static void stop(KafkaRaftServer node) {
        try {
            node.shutdown();
            node.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("An embedded Kafka node did not stop cleanly", e);
        }
    }
}

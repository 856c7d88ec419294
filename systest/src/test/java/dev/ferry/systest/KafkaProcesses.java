package dev.ferry.systest;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka cluster of separate OS processes, each run from the ferry jar's {@code KafkaNodeMain} (the embedded
 * module's one-node main): one controller, which the cases never touch, and {@code brokers} brokers (ids 0..n-1),
 * each on a fixed client port and its own data directory, so a broker killed with SIGKILL comes back as the same
 * node with its logs. A dedicated controller is what lets any broker be killed: with a combined node, killing it
 * would take the quorum down too.
 */
final class KafkaProcesses implements AutoCloseable {

    static final String NODE_MAIN = "dev.ferry.embedded.internal.KafkaNodeMain";
    private static final int CONTROLLER_ID = 100;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final OsProcess controller;
    private final List<OsProcess> brokers = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final Admin admin;
    private final int controllerPort;

    private KafkaProcesses(Path jar, Path dir, int brokerCount, List<String> jvmOptions) {
        String clusterId = Uuid.randomUuid().toString();
        controllerPort = freePort();
        String voters = CONTROLLER_ID + "@localhost:" + controllerPort;
        controller = new OsProcess("controller", nodeCommand(jar, jvmOptions, List.of("role=controller",
                "node.id=" + CONTROLLER_ID, "controller=" + voters, "cluster.id=" + clusterId,
                "data.dir=" + dir.resolve("controller"), "brokers=" + brokerCount)), Map.of(), dir);
        for (int id = 0; id < brokerCount; id++) {
            int port = freePort();
            ports.add(port);
            brokers.add(new OsProcess("broker-" + id, nodeCommand(jar, jvmOptions, List.of("role=broker",
                    "node.id=" + id, "port=" + port, "controller=" + voters, "cluster.id=" + clusterId,
                    "data.dir=" + dir.resolve("broker-" + id), "brokers=" + brokerCount)), Map.of(), dir));
        }
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
    }

    /** Starts the controller, then the brokers, and returns once every broker is registered and answers. */
    static KafkaProcesses start(Path jar, Path dir, int brokerCount, List<String> jvmOptions) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KafkaProcesses cluster = new KafkaProcesses(jar, dir, brokerCount, jvmOptions);
        try {
            cluster.controller.start();
            await("the controller listens").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.controllerListens(cluster.controllerPort));
            cluster.brokers.forEach(OsProcess::start);
            for (int id = 0; id < brokerCount; id++) {
                cluster.awaitRegistered(id);
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private boolean controllerListens(int port) {
        if (!controller.isAlive()) {
            throw new IllegalStateException("the controller exited; its log ends with:\n" + controller.tail(40));
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    String bootstrapServers() {
        return ports.stream().map(p -> "localhost:" + p).collect(Collectors.joining(","));
    }

    Admin admin() {
        return admin;
    }

    int brokerCount() {
        return brokers.size();
    }

    /** SIGKILL of broker {@code id}. */
    void kill(int id) {
        brokers.get(id).kill();
    }

    /** SIGTERM of broker {@code id} (controlled shutdown: it hands its leaderships over first). */
    void stop(int id) {
        brokers.get(id).stop(Duration.ofSeconds(60));
    }

    /** Starts broker {@code id} again on its data and port, and waits until it is registered again. */
    void restart(int id) {
        brokers.get(id).start();
        awaitRegistered(id);
    }

    /** The broker leading most partitions of {@code topic} (ties: the lowest id). */
    int leaderOfMost(String topic) {
        Map<Integer, Long> led = partitions(topic).stream().filter(p -> p.leader() != null)
                .collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()));
        return led.entrySet().stream().max(Map.Entry.<Integer, Long>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                .map(Map.Entry::getKey).orElseThrow(() -> new IllegalStateException(topic + " has no leader"));
    }

    /** Partition number to leader id (-1 without a leader) of {@code topic}. */
    Map<Integer, Integer> leaders(String topic) {
        return partitions(topic).stream().collect(Collectors.toMap(TopicPartitionInfo::partition,
                p -> p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id()));
    }

    /** Waits until every partition of {@code topics} has all its replicas in sync again (after a restart). */
    void awaitFullIsr(Set<String> topics, Duration timeout) {
        await("every replica of " + topics + " back in sync").atMost(timeout).pollInterval(Duration.ofSeconds(1))
                .until(() -> admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.isr().size() == p.replicas().size()));
    }

    private List<TopicPartitionInfo> partitions(String topic) {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(15, TimeUnit.SECONDS).get(topic);
            return description.partitions();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot describe " + topic + ": " + e, e);
        }
    }

    private void awaitRegistered(int id) {
        OsProcess broker = brokers.get(id);
        await(broker.name() + " registered").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsMatching(e -> !(e instanceof IllegalStateException))
                .until(() -> {
                    if (!broker.isAlive()) {
                        throw new IllegalStateException(broker.name() + " exited; its log ends with:\n"
                                + broker.tail(40));
                    }
                    return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
                            .map(Node::id).anyMatch(n -> n == id);
                });
    }

    private static List<String> nodeCommand(Path jar, List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(jar.toString());
        command.add(NODE_MAIN);
        command.addAll(args);
        return command;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
        brokers.forEach(OsProcess::destroy);
        controller.destroy();
    }
}

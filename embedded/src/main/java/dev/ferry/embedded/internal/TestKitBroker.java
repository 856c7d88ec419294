package dev.ferry.embedded.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ephemeral cluster from Kafka's own test kit: random ports, a temp dir deleted on close. Node 0 is a combined
 * broker and controller; further nodes are brokers only.
 *
 * <p>The temp dir is Ferry's ({@code ferry-kafka-*}), not the kit's own: the kit's ({@code TestUtils.tempDirectory})
 * comes with a JVM shutdown hook that deletes it, and on Ctrl-C or SIGTERM that hook ran beside {@code ferry dev}'s
 * own stop, deleting the brokers' log directories under them while they still ran and wrote checkpoints: some 80
 * ERROR lines ({@code LogDirFailureChannel}, {@code ReplicaFetcherThread} "Disk error when trying to access log
 * file") on every stop of {@code ferry dev --brokers 3}. {@link #close()} deletes the dir once every node has stopped.
 */
public final class TestKitBroker implements Broker {

    private static final Logger LOG = LoggerFactory.getLogger(TestKitBroker.class);

    private final KafkaClusterTestKit cluster;
    private final int brokers;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TestKitBroker(KafkaClusterTestKit cluster, int brokers) {
        this.cluster = cluster;
        this.brokers = brokers;
    }

    /** Formats and starts {@code brokers} combined nodes and waits until all are ready. */
    public static TestKitBroker start(int brokers, Map<String, String> properties) {
        long started = System.nanoTime();
        KafkaClusterTestKit cluster = null;
        Path dir = null;
        try {
            dir = Files.createTempDirectory("ferry-kafka-");
            TestKitNodes nodes = new TestKitNodes.Builder(productionBootstrap())
                    .setBaseDirectory(dir)
                    .setCombined(true)
                    .setNumBrokerNodes(brokers)
                    // One controller in every case: a three-voter quorum on one small machine sometimes lost its
                    // raft threads to UpdateVoter errors at start, and replication tests need brokers, not voters.
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            properties.forEach(builder::setConfigProp);
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            TestKitBroker broker = new TestKitBroker(cluster, brokers);
            LOG.info("Embedded Kafka started: {} broker(s) at {} in {} ms", brokers, broker.bootstrapServers(),
                    (System.nanoTime() - started) / 1_000_000);
            return broker;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(cluster, dir);
            throw new IllegalStateException("Interrupted while starting the embedded Kafka cluster", e);
        } catch (Exception e) {
            closeQuietly(cluster, dir);
            throw new IllegalStateException("Embedded Kafka cluster of " + brokers + " broker(s) failed to start: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The metadata.version and feature levels a freshly formatted production broker gets (share groups, the
     * consumer and streams protocols, transactions v2). The kit defaults to the newest, still unstable version.
     */
    private static BootstrapMetadata productionBootstrap() {
        MetadataVersion version = MetadataVersion.LATEST_PRODUCTION;
        Map<String, Short> levels = new HashMap<>();
        for (Feature feature : Feature.PRODUCTION_FEATURES) {
            // kraft.version describes the quorum, which the kit sets up itself; it is not a bootstrap record.
            if (feature != Feature.KRAFT_VERSION) {
                levels.put(feature.featureName(), feature.defaultLevel(version));
            }
        }
        return BootstrapMetadata.fromVersions(version, levels, "ferry-embedded");
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public int brokerCount() {
        return brokers;
    }

    @Override
    public String bootstrapControllers() {
        return cluster.bootstrapControllers();
    }

    /**
     * Node 0 also runs the only controller, so stopping it would take the quorum down with it: only the brokers
     * 1..n-1 may be stopped. Blocks until the broker has shut down; its replicas then drop out of the ISR.
     */
    @Override
    public void stopBroker(int nodeId) {
        if (nodeId == 0 || !cluster.brokers().containsKey(nodeId)) {
            throw new IllegalArgumentException("Can stop brokers " + stoppable() + " only (node 0 runs the "
                    + "controller), not " + nodeId);
        }
        cluster.brokers().get(nodeId).shutdown();
        cluster.brokers().get(nodeId).awaitShutdown();
        LOG.info("Embedded Kafka broker {} stopped", nodeId);
    }

    private java.util.List<Integer> stoppable() {
        return cluster.brokers().keySet().stream().filter(id -> id != 0).sorted().toList();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(cluster, null); // the kit deletes its base directory, ours, once every node has stopped
            LOG.info("Embedded Kafka stopped");
        }
    }

    /** Stops {@code cluster} (which deletes {@code dir}), or deletes {@code dir} when there is no cluster yet. */
    private static void closeQuietly(KafkaClusterTestKit cluster, Path dir) {
        if (cluster == null) {
            TempDirectories.deleteQuietly(dir, "the embedded cluster's");
            return;
        }
        try {
            cluster.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while stopping the embedded Kafka cluster", e);
        } catch (Exception e) {
            LOG.warn("Embedded Kafka cluster did not stop cleanly", e);
        }
    }
}

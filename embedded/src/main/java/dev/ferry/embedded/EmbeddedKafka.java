package dev.ferry.embedded;

import dev.ferry.embedded.internal.Broker;
import dev.ferry.embedded.internal.BrokerDefaults;
import dev.ferry.embedded.internal.RaftCluster;
import dev.ferry.embedded.internal.RaftServerBroker;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A real Kafka cluster (KRaft, combined broker and controller nodes) running in this JVM.
 *
 * <p>Without a data directory the cluster is ephemeral: formatted in a temporary directory and deleted on
 * {@link #close()}. With {@link Options#dataDir(Path)} it is a single node whose storage is formatted once and
 * reused by every later start on the same directory, which is what {@code ferry dev} runs.
 *
 * <p>Both modes start with the same broker defaults (listed in the module README): replication factors fitting
 * the node count, topic auto-creation off (a typo in a topic name fails instead of creating a topic), and group
 * timings short enough for tests to see rebalances, share-group redeliveries and fail-overs within seconds. Any
 * broker property can be overridden with {@link Options#brokerProperty(String, String)}.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     Map<String, Object> props = Map.of("bootstrap.servers", kafka.bootstrapServers());
 *     ...
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final Broker broker;

    private EmbeddedKafka(Broker broker) {
        this.broker = broker;
    }

    /** Starts one ephemeral broker on a random port; returns once it accepts clients. */
    public static EmbeddedKafka start() {
        return start(Options.defaults());
    }

    /**
     * Starts a cluster as described by the options and blocks until every broker is ready.
     *
     * @throws IllegalArgumentException if the options do not fit together (a data directory or a fixed port with
     *     more than one broker)
     * @throws IllegalStateException if the cluster does not start
     */
    public static EmbeddedKafka start(Options options) {
        Objects.requireNonNull(options, "options");
        if (options.brokers > 1 && (options.dataDir != null || options.port != 0)) {
            throw new IllegalArgumentException("A data directory or a fixed port needs brokers(1), not brokers("
                    + options.brokers + "): only the single-node mode persists data or binds a chosen port");
        }
        Map<String, String> properties = new LinkedHashMap<>(BrokerDefaults.forBrokers(options.brokers));
        properties.putAll(options.overrides);
        Broker broker;
        if (options.dataDir != null) {
            broker = RaftServerBroker.startPersistent(options.dataDir, options.port, properties);
        } else if (options.brokers > 1) {
            broker = RaftCluster.start(options.brokers, properties);
        } else {
            broker = RaftServerBroker.startEphemeral(options.port, properties); // port 0: a free one
        }
        return new EmbeddedKafka(broker);
    }

    /** The {@code bootstrap.servers} value for clients, e.g. {@code localhost:9092}. */
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /**
     * Where the cluster's controllers listen, e.g. {@code localhost:41523} (Kafka's {@code --bootstrap-controller}):
     * no client of Ferry's needs it, but {@code ferry dev} keeps its HTTP functions off it.
     */
    public String bootstrapControllers() {
        return broker.bootstrapControllers();
    }

    /** How many brokers the cluster has. */
    public int brokerCount() {
        return broker.brokerCount();
    }

    /**
     * Stops one broker of a multi-broker cluster and keeps the rest running, to show that clients fail over. Node
     * ids run from 0 to {@code brokerCount() - 1}; node 0 also runs the cluster's only controller and cannot be
     * stopped this way. A stopped broker is not restarted; {@link #close()} still stops everything.
     *
     * @throws UnsupportedOperationException on a single-node cluster
     * @throws IllegalArgumentException if {@code nodeId} is 0 or not a broker of this cluster
     */
    public void stopBroker(int nodeId) {
        broker.stopBroker(nodeId);
    }

    /** Stops every node; an ephemeral cluster also deletes its files. Safe to call twice. */
    @Override
    public void close() {
        broker.close();
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", brokers=" + brokerCount() + "]";
    }

    /** How to start the cluster. Immutable: every method returns a changed copy. */
    public static final class Options {
        private final int brokers;
        private final Path dataDir;
        private final int port;
        private final Map<String, String> overrides;

        private Options(int brokers, Path dataDir, int port, Map<String, String> overrides) {
            this.brokers = brokers;
            this.dataDir = dataDir;
            this.port = port;
            this.overrides = Collections.unmodifiableMap(overrides);
        }

        /** One ephemeral broker on a random port with the broker defaults. */
        public static Options defaults() {
            return new Options(1, null, 0, new LinkedHashMap<>());
        }

        /** The number of combined broker+controller nodes: 1 by default, 3 to test replication. */
        public Options brokers(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("brokers must be at least 1, was " + n);
            }
            return new Options(n, dataDir, port, new LinkedHashMap<>(overrides));
        }

        /**
         * Keeps the cluster's data in {@code dir}: formatted on the first start, reused (same cluster id, same
         * topics and offsets) on every later one. Single broker only.
         */
        public Options dataDir(Path dir) {
            return new Options(brokers, Objects.requireNonNull(dir, "dir"), port, new LinkedHashMap<>(overrides));
        }

        /** The client listener port of a single-broker cluster ({@code ferry dev} uses 9092); 0 picks a free one. */
        public Options port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
            }
            return new Options(brokers, dataDir, port, new LinkedHashMap<>(overrides));
        }

        /** Sets any broker or controller property, overriding the defaults; applies to every node. */
        public Options brokerProperty(String key, String value) {
            Map<String, String> copy = new LinkedHashMap<>(overrides);
            copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return new Options(brokers, dataDir, port, copy);
        }

        @Override
        public String toString() {
            return "Options[brokers=" + brokers + ", dataDir=" + dataDir + ", port=" + port
                    + ", overrides=" + overrides + "]";
        }
    }
}

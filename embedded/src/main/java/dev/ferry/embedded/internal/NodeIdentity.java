package dev.ferry.embedded.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * What a persistent node must keep between starts besides Kafka's own files: the cluster id it was formatted
 * with, and the controller port, which is part of the quorum configuration and so must not change on restart.
 */
record NodeIdentity(String clusterId, int controllerPort) {

    static final String FILE_NAME = "ferry-embedded.properties";
    private static final String CLUSTER_ID = "cluster.id";
    private static final String CONTROLLER_PORT = "controller.port";

    /** Reads the identity saved in {@code dataDir}, or creates and saves a new one there. */
    static NodeIdentity loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (Files.exists(file)) {
                return load(file);
            }
            Files.createDirectories(dataDir);
            NodeIdentity identity = new NodeIdentity(Uuid.randomUuid().toString(), FreePorts.pick());
            Properties p = new Properties();
            p.setProperty(CLUSTER_ID, identity.clusterId());
            p.setProperty(CONTROLLER_PORT, String.valueOf(identity.controllerPort()));
            try (Writer out = Files.newBufferedWriter(file)) {
                p.store(out, "Ferry embedded Kafka node: keep with the data, the formatted storage depends on it");
            }
            return identity;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write " + file, e);
        }
    }

    private static NodeIdentity load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        String clusterId = p.getProperty(CLUSTER_ID);
        String port = p.getProperty(CONTROLLER_PORT);
        if (clusterId == null || port == null) {
            throw new IllegalStateException(file + " lacks " + CLUSTER_ID + " or " + CONTROLLER_PORT
                    + "; delete the data directory to start a new cluster");
        }
        return new NodeIdentity(clusterId, Integer.parseInt(port.trim()));
    }
}

package dev.ferry.embedded.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.tools.StorageTool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-time {@code kafka-storage.sh format} of a persistent node, run through Kafka's own {@link StorageTool}
 * so the result is exactly what the command line tool would produce for the same server properties.
 */
final class StorageFormat {

    static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Logger LOG = LoggerFactory.getLogger(StorageFormat.class);

    private StorageFormat() {
    }

    /**
     * Formats the log dir of {@code config} unless it already holds a formatted node. The properties are written
     * to {@code propertiesFile} first (the tool reads a file; keeping it also documents how the node runs).
     */
    static void formatIfNeeded(Path logDir, Properties config, String clusterId, Path propertiesFile) {
        writeProperties(config, propertiesFile);
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(new String[] {
                "format", "--cluster-id", clusterId, "--config", propertiesFile.toString(), "--ignore-formatted"
            }, print);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Cannot format the Kafka storage in " + logDir + ": " + e.getMessage()
                    + " " + output.toString(StandardCharsets.UTF_8).trim(), e);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("Formatting the Kafka storage in " + logDir + " failed with exit code "
                    + exitCode + ": " + output.toString(StandardCharsets.UTF_8).trim());
        }
        LOG.debug("Formatted {}: {}", logDir, output.toString(StandardCharsets.UTF_8).trim());
    }

    private static void writeProperties(Properties config, Path file) {
        try (Writer out = Files.newBufferedWriter(file)) {
            config.store(out, "Written by Ferry on each start of the embedded broker; edits are overwritten");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }
}

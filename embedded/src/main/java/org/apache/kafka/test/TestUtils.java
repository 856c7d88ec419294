package org.apache.kafka.test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Stands in for the class of the same name in kafka-clients' test fixtures, which Maven Central does not serve for
 * Kafka 4.4.0 (neither the {@code test} nor the {@code test-fixtures} classifier). Kafka 4.4's
 * {@code KafkaClusterTestKit.Builder.build()}, which the embedded broker starts from, always creates an
 * {@code SslManager}, and that calls only {@link #tempFile(String, String)} here. Holds nothing else: a caller
 * of any other method of the real class fails with {@link NoSuchMethodError}.
 */
public final class TestUtils {

    private TestUtils() {
    }

    /** An empty file in the JVM's temp dir, named {@code prefix...suffix}, deleted at exit. */
    public static File tempFile(String prefix, String suffix) throws IOException {
        File file = Files.createTempFile(prefix, suffix).toFile();
        file.deleteOnExit();
        return file;
    }
}

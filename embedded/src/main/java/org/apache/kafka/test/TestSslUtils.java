package org.apache.kafka.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.network.ConnectionMode;

/**
 * Stands in for the class of the same name in kafka-clients' test fixtures (not served for Kafka 4.4.0; see
 * {@link TestUtils}). Kafka 4.4's test kit builds SSL settings for every cluster, used only when a listener speaks
 * SSL or SASL_SSL; the embedded broker speaks PLAINTEXT, so this gives the kit file locations and no key material.
 * A listener configured for SSL on top of it fails at startup on the empty key store, loudly.
 */
public final class TestSslUtils {

    private TestSslUtils() {
    }

    /** The builder the kit's {@code SslManager} calls: a trust store file and a key store file, both empty. */
    public static final class SslConfigsBuilder {

        private final ConnectionMode mode;
        private File trustStore;

        /** For the server or the client side. */
        public SslConfigsBuilder(ConnectionMode mode) {
            this.mode = mode;
        }

        /** Uses {@code file} as the trust store (left empty). */
        public SslConfigsBuilder createNewTrustStore(File file) {
            this.trustStore = file;
            return this;
        }

        /** Uses {@code file} as the trust store (left as it is). */
        public SslConfigsBuilder useExistingTrustStore(File file) {
            this.trustStore = file;
            return this;
        }

        /** {@code ssl.keystore.location} (a new empty temp file) and {@code ssl.truststore.location}. */
        public Map<String, Object> build() {
            try {
                Map<String, Object> config = new HashMap<>();
                String prefix = "kafka-" + mode.name().toLowerCase(Locale.ROOT) + "-keystore";
                config.put("ssl.keystore.location", TestUtils.tempFile(prefix, ".jks").getPath());
                if (trustStore != null) {
                    config.put("ssl.truststore.location", trustStore.getPath());
                }
                return config;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

/**
 * How the embedded broker is run: Kafka's test kit for ephemeral clusters, {@code KafkaRaftServer} for a data
 * directory that survives restarts, and the broker defaults both share; plus the shared fixture behind the
 * JUnit extension.
 *
 * <p>Not API: other modules use {@code dev.ferry.embedded} and {@code dev.ferry.embedded.junit} only.
 */
package dev.ferry.embedded.internal;

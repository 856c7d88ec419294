/**
 * How the embedded broker is run: every node is Kafka's own {@code KafkaRaftServer} with its listeners on
 * {@code localhost}, one ({@code RaftServerBroker}, in a data directory that survives restarts or a temporary one) or
 * several ({@code RaftCluster}), with the broker defaults they share; plus the shared fixture behind the JUnit
 * extension.
 *
 * <p>Not API: other modules use {@code dev.ferry.embedded} and {@code dev.ferry.embedded.junit} only.
 */
package dev.ferry.embedded.internal;

/**
 * The Java client for Kafka-native users: {@link dev.ferry.ingest.client.FerryClient} invokes functions by
 * producing to {@code ferry.invocations} and awaiting {@code ferry.results}, without the HTTP gateway.
 *
 * <p>Depends on {@code dev.ferry.core}, the records of {@code dev.ferry.schemas}, and the result correlation in
 * {@code dev.ferry.ingest.internal}.
 */
package dev.ferry.ingest.client;

/**
 * Building Kafka clients the same way in every service: connection settings and pass-through properties from
 * {@link dev.ferry.core.config.FerryConfig}, Ferry's defaults for each role on top, and the creation of topics.
 *
 * <p>Depends on {@code dev.ferry.core.config}, {@code dev.ferry.core.topics} and kafka-clients.
 */
package dev.ferry.core.kafka;

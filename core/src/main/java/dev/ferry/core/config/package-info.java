/**
 * Ferry's configuration, declared in one place: every key is a dotted lowercase name with a constant, a type, a
 * default that works against the embedded default of {@code ferry dev}, and a doc string, built on Kafka's own
 * {@link org.apache.kafka.common.config.ConfigDef} so a Kafka user reads it the way they read broker and client
 * configs. One small class per subsystem declares its keys; {@link dev.ferry.core.config.FerryConfig} composes
 * them and validates the whole with messages that name the bad key.
 *
 * <p>Depends on kafka-clients only.
 */
package dev.ferry.core.config;

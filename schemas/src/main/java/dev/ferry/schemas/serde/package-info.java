/**
 * Kafka serializers and deserializers for Avro records in the Confluent wire format (magic byte
 * {@code 0x00}, 4-byte big-endian schema id, Avro binary), interoperable with Confluent's own serde.
 *
 * <p>Depends on {@code dev.ferry.schemas.registry}, Avro and kafka-clients.
 */
package dev.ferry.schemas.serde;

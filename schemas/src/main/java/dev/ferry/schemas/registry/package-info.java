/**
 * Ferry's own client of the Confluent Schema Registry REST API (Confluent's client jars are not on
 * Maven Central). {@link dev.ferry.schemas.registry.SchemaRegistryClient} is what callers use;
 * {@link dev.ferry.schemas.registry.RestSchemaRegistryClient} talks HTTP and caches what never changes.
 *
 * <p>Depends on Avro, Jackson and the JDK's {@code java.net.http}; never on other Ferry modules.
 */
package dev.ferry.schemas.registry;

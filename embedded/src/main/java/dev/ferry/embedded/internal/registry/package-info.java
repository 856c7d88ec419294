/**
 * The schema registry behind {@link dev.ferry.embedded.EmbeddedSchemaRegistry}: the Confluent REST routes
 * ({@link dev.ferry.embedded.internal.registry.RegistryHttpApi}), the rules of subjects, versions, ids and
 * compatibility ({@link dev.ferry.embedded.internal.registry.RegistryService}), schema types and references
 * ({@link dev.ferry.embedded.internal.registry.SchemaParser}), and the compacted topic that
 * stores them ({@link dev.ferry.embedded.internal.registry.SchemaLog}).
 *
 * <p>Depends on Kafka clients, Avro, Jackson and Javalin; nothing outside this package depends on it except
 * {@code EmbeddedSchemaRegistry}.
 */
package dev.ferry.embedded.internal.registry;

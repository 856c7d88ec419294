/**
 * An in-process Kafka cluster ({@link dev.ferry.embedded.EmbeddedKafka}) and a Confluent-compatible schema
 * registry ({@link dev.ferry.embedded.EmbeddedSchemaRegistry}): the embedded default of {@code ferry dev} and
 * the fixture of the tests.
 *
 * <p>Depends on the Apache Kafka server jars, Avro, Jackson and Javalin, and on no other Ferry module, so every
 * module can use it from its tests. Only the cli, bench and tests may depend on it (see import-control.xml).
 */
package dev.ferry.embedded;

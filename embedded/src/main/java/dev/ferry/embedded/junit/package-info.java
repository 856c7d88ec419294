/**
 * JUnit 5 support: annotate an integration test class with {@link dev.ferry.embedded.junit.FerryKafkaTest} and
 * take a {@link dev.ferry.embedded.junit.KafkaFixture} parameter to get the broker and schema registry shared by
 * every test class of the JVM.
 *
 * <p>Depends on {@code dev.ferry.embedded} and its internal fixture, and on the JUnit Jupiter API.
 */
package dev.ferry.embedded.junit;

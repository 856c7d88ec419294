/**
 * Configuration parsing, subject-strategy lookup and the per-schema caches behind the public serde
 * classes. Not for use outside {@code dev.ferry.schemas.serde}.
 *
 * <p>May depend on {@code dev.ferry.schemas.serde}, {@code dev.ferry.schemas.registry}, Avro and
 * kafka-clients.
 */
package dev.ferry.schemas.serde.internal;

/**
 * How the gateway and the Java client work: result correlation ({@link dev.ferry.ingest.internal.ResultRouter},
 * shared by both), the result store, API key hashing, quotas, and the HTTP handlers. Not an API: other modules
 * use {@code dev.ferry.ingest} and {@code dev.ferry.ingest.client}.
 *
 * <p>Depends on {@code dev.ferry.core}, {@code dev.ferry.schemas}, the public {@code dev.ferry.ingest} types,
 * Javalin, Jackson and Micrometer.
 */
package dev.ferry.ingest.internal;

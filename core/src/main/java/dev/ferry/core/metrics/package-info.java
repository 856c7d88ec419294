/**
 * One Prometheus registry per process, shared by every Ferry service in it, and a small HTTP endpoint that serves
 * it for services that have no HTTP server of their own. Meter names follow Prometheus conventions once rendered
 * ({@code ferry.invocations} becomes {@code ferry_invocations_total}).
 *
 * <p>Depends on Micrometer and the JDK's HTTP server only.
 */
package dev.ferry.core.metrics;

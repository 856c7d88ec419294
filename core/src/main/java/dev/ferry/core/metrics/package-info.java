/**
 * One Prometheus registry per process, shared by every Ferry service in it, and the process's management listener
 * that serves it to operators, apart from the public gateway (issue 12). Meter names follow Prometheus conventions
 * once rendered ({@code ferry.invocations} becomes {@code ferry_invocations_total}).
 *
 * <p>Depends on Micrometer and the JDK's HTTP server only.
 */
package dev.ferry.core.metrics;

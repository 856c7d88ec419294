/**
 * The autoscaler's machinery: forecasting and smoothing, stabilization, stall detection, the replica budget, the
 * Admin-API offset reader and topic followers. Not API: only {@code dev.ferry.autoscaler} uses it.
 *
 * <p>May depend on {@code dev.ferry.autoscaler}, {@code dev.ferry.core} and {@code dev.ferry.schemas}.
 */
package dev.ferry.autoscaler.internal;

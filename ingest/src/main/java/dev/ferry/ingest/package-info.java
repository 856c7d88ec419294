/**
 * The front door of Ferry: {@link dev.ferry.ingest.Gateway} (the HTTP API of docs/design.md), tenants and API keys
 * ({@link dev.ferry.ingest.TenantAdmin}, {@link dev.ferry.ingest.Quota}), and the plug points the command line
 * wires to other services ({@link dev.ferry.ingest.UsageSource}, {@link dev.ferry.ingest.ScalingSource}).
 *
 * <p>Depends on {@code dev.ferry.core}, the records of {@code dev.ferry.schemas}, and this module's
 * {@code internal} package; never on another service's internals, the embedded broker or the command line.
 */
package dev.ferry.ingest;

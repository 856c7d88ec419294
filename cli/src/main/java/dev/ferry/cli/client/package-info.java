/**
 * Client commands: they talk to a gateway over its HTTP API (docs/design.md) with {@code java.net.http}, and print.
 *
 * <p>Depends on picocli, Jackson and {@code dev.ferry.cli}; on no service module, so they work against any gateway.
 */
package dev.ferry.cli.client;

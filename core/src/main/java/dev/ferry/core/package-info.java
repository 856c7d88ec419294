/**
 * What every Ferry service shares: the exception hierarchy and the names of things, and two thread helpers
 * ({@link dev.ferry.core.Shutdown}, {@link dev.ferry.core.DaemonThreads}).
 *
 * <p>Sub-packages: {@code config} (typed configuration, one place for every key), {@code topics} (the topic and
 * group catalog of docs/design.md and their creation), {@code kafka} (the client factory), {@code runtime} (what
 * every service of one process shares: one client factory, registry client and directory of each catalog). Depends on
 * {@code dev.ferry.schemas} and the Kafka clients only; never on a service module.
 */
package dev.ferry.core;

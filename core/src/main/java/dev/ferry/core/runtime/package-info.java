/**
 * The process runtime ({@link dev.ferry.core.runtime.FerryRuntime}): the one configuration, Kafka client factory,
 * topic catalog, serdes over one schema registry client, and function and trigger directories that every service of
 * a process shares (issue 13).
 *
 * <p>Depends on {@code dev.ferry.core}'s {@code config}, {@code topics}, {@code kafka}, {@code functions} and
 * {@code triggers} packages, and on {@code dev.ferry.schemas}.
 */
package dev.ferry.core.runtime;

/**
 * Ferry's benchmarks: each scenario measures Ferry and a raw-Kafka baseline on the same broker in the same run and
 * reports their ratio. {@link dev.ferry.bench.Bench} is the entry point (the {@code ferry bench} command calls it);
 * {@link dev.ferry.bench.BenchOptions} says what to run and where.
 *
 * <p>May depend on the public packages of every service module and on {@code dev.ferry.embedded} (the default
 * broker); never on a module's {@code internal} package, and never on the cli. The scenarios live in
 * {@code dev.ferry.bench.internal}.
 */
package dev.ferry.bench;

/**
 * Metering: bills what ran, per tenant and function, exactly once. {@link dev.ferry.metering.MeteringService} runs
 * the Kafka Streams application ({@link dev.ferry.metering.MeteringTopology}) and its usage API;
 * {@link dev.ferry.metering.UsageQueryClient} is the gateway's client of that API.
 *
 * <p>Depends on {@code dev.ferry.core}, {@code dev.ferry.schemas} and this module's {@code internal} package.
 */
package dev.ferry.metering;

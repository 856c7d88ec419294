/**
 * The insides of metering: billing arithmetic, the windowing processor and its stores, the usage API's HTTP
 * handlers and JSON. Not for use outside this module.
 *
 * <p>Depends on {@code dev.ferry.core}, {@code dev.ferry.schemas} and the public types of {@code dev.ferry.metering}.
 */
package dev.ferry.metering.internal;

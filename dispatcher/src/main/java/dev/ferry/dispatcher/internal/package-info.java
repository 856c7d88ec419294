/**
 * How the dispatcher works inside: decoding and validating each record, the route cache of work topics, the
 * built-in partition strategies, the view of worker lag, and the transactional consume-transform-produce loop.
 *
 * <p>Depends on {@code dev.ferry.dispatcher} (the public strategy interfaces), {@code dev.ferry.core},
 * {@code dev.ferry.schemas} and kafka-clients. Nothing outside this module may import it.
 */
package dev.ferry.dispatcher.internal;

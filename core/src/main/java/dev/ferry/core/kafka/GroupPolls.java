package dev.ferry.core.kafka;

import java.time.Duration;

/**
 * How long a consumer-group member on Ferry's latency path (the dispatcher, an ORDERED replica) may wait in one
 * {@code poll()} while it has nothing to do.
 *
 * <p>Under the consumer group protocol (KIP-848) kafka-clients 4.3 has a poll that, once a fetch came back empty
 * within it (the broker's {@code fetch.max.wait.ms}, 500 ms by default, ran out), waits out the rest of its timeout
 * without sending the next fetch (KAFKA-20780, fixed after 4.3.1): a record arriving meanwhile waits for the next
 * {@code poll()}. So the poll timeout, not the broker's long poll, bounds how late such a record is read. Measured in
 * {@code ferry dev} (issue 16): synchronous calls of {@code echo} 0.6 s apart took p50 383 ms with the dispatcher
 * polling for 5 s, nearly all of it between the invocation's append and the dispatcher reading it; 38 ms polling
 * for 100 ms. A shorter poll costs an idle member ten polls a second, each a hand-off to the consumer's background
 * thread, with no request to the broker.
 */
public final class GroupPolls {

    /** The longest {@code poll()} of an idle member on the latency path. */
    public static final Duration IDLE = Duration.ofMillis(100);

    private GroupPolls() {
    }
}

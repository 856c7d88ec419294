package dev.ferry.core.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger log = LoggerFactory.getLogger(GroupPolls.class);

    /** The longest {@code poll()} of an idle member on the latency path. */
    public static final Duration IDLE = Duration.ofMillis(100);

    /**
     * How long the broker holds an idle member's fetch ({@code fetch.max.wait.ms}; issue 16, idle cost): 5 s, not
     * Kafka's 500 ms. A record (or a transaction marker) answers a held fetch at once, and a poll still returns
     * within {@link #IDLE}, so an arriving record is read as soon as before; an idle member asks the broker once
     * every 5 s instead of twice a second. The catch: a consumer has one fetch in flight per broker, so a partition
     * whose position changes while a fetch is held (handed over in a rebalance, sought back after a failed batch,
     * resumed after a pause) is first fetched when that fetch returns, up to 5 s later. Members that pause and resume
     * partitions as part of their work (the worker's retry forwarder) keep Kafka's 500 ms.
     */
    public static final Duration IDLE_FETCH_WAIT = Duration.ofSeconds(5);

    private GroupPolls() {
    }

    /**
     * {@code overrides} plus {@code fetch.max.wait.ms} = {@link #IDLE_FETCH_WAIT}, unless the operator's pass-through
     * ({@code kafka.*}, {@code --kafka-config}) sets it: the operator keeps the last word.
     */
    public static Map<String, Object> withIdleFetchWait(KafkaClients clients, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(overrides);
        if (!clients.config().kafkaClientProperties().containsKey(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)) {
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) IDLE_FETCH_WAIT.toMillis());
        }
        return props;
    }

    /**
     * Closes a member whose fetches the broker holds ({@link #withIdleFetchWait}) without waiting one out: it leaves
     * its group first ({@code unsubscribe()}: the leave goes to the group coordinator, and the member's partitions
     * go to the others at once), then closes with no wait. A plain {@code close()} sends the goodbye to the fetch
     * session on the connection an idle fetch holds, so it waited up to {@link #IDLE_FETCH_WAIT} (5 s) behind it on
     * every stop of a dispatcher or an autoscaler; the broker drops the session on its own. Commit what must be
     * committed before: nothing is committed here. Never throws; a failure to leave is logged.
     *
     * @param consumer a subscribed member, not used by any other thread any more
     * @param name     how the log names it
     */
    public static void leaveAndClose(Consumer<?, ?> consumer, String name) {
        try {
            consumer.unsubscribe();
        } catch (RuntimeException e) {
            log.warn("[{}] Could not leave the group before closing: {}", name, e.toString());
        }
        try {
            consumer.close(Duration.ZERO);
        } catch (RuntimeException e) {
            log.debug("[{}] Error closing the consumer: {}", name, e.toString());
        }
    }
}

package dev.ferry.core.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a consumer-group member on Ferry's latency path (the dispatcher, the autoscaler's policy loop) waits in one
 * {@code poll()} while it has nothing to do, and how long the broker holds its fetch.
 *
 * <p>A record that arrives during a poll ends it at once: the broker answers a held fetch as soon as the record (or
 * a transaction marker) is appended, and the consumer returns it. So an idle member may poll for long and the broker
 * may hold its fetch for long without a record being read any later; what they cost is per poll and per fetch, an
 * idle process's only work (issue 16, idle cost).
 *
 * <p>History: kafka-clients 4.3 had a poll that, once a fetch came back empty within it, waited out the rest of its
 * timeout without sending the next fetch (KAFKA-20780), so a record arriving then waited for the next poll, and
 * members polled for at most 100 ms (a dispatcher polling for 5 s put p50 383 ms on synchronous calls 0.6 s apart).
 * kafka-clients 4.4.0 has the fix; {@code GroupPollsIT} checks that a poll reads a record produced after an empty
 * fetch within it. A longer poll alone saved nothing measurable: inside it the client still woke ten times a second
 * ({@link #IDLE_RETRY_BACKOFF} says why and what Ferry sets against it).
 */
public final class GroupPolls {

    private static final Logger log = LoggerFactory.getLogger(GroupPolls.class);

    /**
     * How long the broker holds an idle member's fetch ({@code fetch.max.wait.ms}; issue 16, idle cost): 5 s, not
     * Kafka's 500 ms. A record (or a transaction marker) answers a held fetch at once, so an arriving record is read
     * as soon as before; an idle member asks the broker once every 5 s instead of twice a second. The catch: a
     * consumer has one fetch in flight per broker, so a partition whose position changes while a fetch is held
     * (handed over in a rebalance, sought back after a failed batch, resumed after a pause) is first fetched when that
     * fetch returns, up to 5 s later. Members that pause and resume partitions as part of their work (the worker's
     * retry forwarder) keep Kafka's 500 ms.
     */
    public static final Duration IDLE_FETCH_WAIT = Duration.ofSeconds(5);

    /**
     * The longest {@code poll()} of an idle member on the latency path: as long as the broker holds its fetch
     * ({@link #IDLE_FETCH_WAIT}), since a poll that returned sooner would only wait again for the same fetch.
     */
    public static final Duration IDLE = IDLE_FETCH_WAIT;

    /**
     * The {@code retry.backoff.ms} of an idle member (1 s; Kafka's default is 100 ms). kafka-clients 4.4.0 bounds each
     * wait inside a {@code poll()} by it while an assigned partition has nothing buffered, which is an idle member's
     * whole life: the application thread woke ten times a second and each time handed its background thread a poll
     * event, however long the poll and the broker's hold (KAFKA-20904, open). Measured in an idle {@code ferry dev}
     * (session 20): each member's background thread returned from {@code epoll_wait} about ten times a second, woken
     * by its application thread, and the three members' threads cost 0.5-0.7 CPU s/min. The cost of a longer backoff:
     * a failed request of the member (a fetch from a partition whose leader moved, a commit or heartbeat that failed)
     * is tried again after 1 s instead of 100 ms; a record that arrives is read as soon as before, since its fetch
     * response wakes the poll. Revisit once the client stops bounding the wait.
     */
    public static final Duration IDLE_RETRY_BACKOFF = Duration.ofSeconds(1);

    private GroupPolls() {
    }

    /**
     * The settings of a consumer-group member that is idle most of its life (the dispatcher, the autoscaler's policy
     * loop): {@code overrides} plus {@link #withIdleFetchWait} and {@link #withIdleRetryBackoff}.
     */
    public static Map<String, Object> idleMember(KafkaClients clients, Map<String, Object> overrides) {
        return withIdleRetryBackoff(clients, withIdleFetchWait(clients, overrides));
    }

    /**
     * {@code overrides} plus {@code retry.backoff.ms} = {@link #IDLE_RETRY_BACKOFF} (and {@code retry.backoff.max.ms}
     * no lower), unless the operator's pass-through sets either: for a KIP-848 member whose fetches must stay at
     * Kafka's 500 ms hold (the worker's retry forwarder) as well as for {@link #idleMember}.
     */
    public static Map<String, Object> withIdleRetryBackoff(KafkaClients clients, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(overrides);
        Map<String, Object> operator = clients.config().kafkaClientProperties();
        if (!operator.containsKey(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG)
                && !operator.containsKey(CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG)) {
            props.put(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, IDLE_RETRY_BACKOFF.toMillis());
            props.put(CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG, IDLE_RETRY_BACKOFF.toMillis());
        }
        return props;
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

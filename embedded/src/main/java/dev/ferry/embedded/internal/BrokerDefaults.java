package dev.ferry.embedded.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The broker properties every embedded cluster starts with, before the user's overrides.
 *
 * <p>Two concerns: a cluster of one node must work at all (internal topics default to 3 replicas and would never
 * be created, so group and transaction coordinators would hang silently), and tests on one small machine must see
 * group changes in seconds rather than the production defaults of 45 s sessions and 5 s heartbeats. Every key here
 * exists in Kafka 4.3 and 4.4 (an unknown key is only warned about, but a value outside a key's range fails startup,
 * which is why each minimum is lowered together with its value).
 */
public final class BrokerDefaults {

    /** Few partitions per internal topic: 50 each (the default) slows the first group or transaction on a laptop. */
    private static final String INTERNAL_TOPIC_PARTITIONS = "5";
    private static final String SESSION_TIMEOUT_MS = "10000";
    /**
     * The shortest session a group may choose (the default stays {@link #SESSION_TIMEOUT_MS}): 3 s, six heartbeats,
     * for tests that kill a member with SIGKILL and wait for its partitions ({@code KafkaFixture.shortestSessions}).
     */
    private static final String MIN_SESSION_TIMEOUT_MS = "3000";
    private static final String HEARTBEAT_MS = "500";
    private static final String ASSIGNMENT_INTERVAL_MS = "0";

    private BrokerDefaults() {
    }

    /** The defaults for a cluster of {@code brokers} nodes. */
    public static Map<String, String> forBrokers(int brokers) {
        String replicas = String.valueOf(Math.min(3, brokers));
        String minIsr = brokers >= 3 ? "2" : "1";
        Map<String, String> p = new LinkedHashMap<>();
        // Typos in topic names should fail loudly, not create a topic nobody reads.
        p.put("auto.create.topics.enable", "false");

        p.put("offsets.topic.replication.factor", replicas);
        p.put("offsets.topic.num.partitions", INTERNAL_TOPIC_PARTITIONS);
        p.put("transaction.state.log.replication.factor", replicas);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", INTERNAL_TOPIC_PARTITIONS);
        p.put("share.coordinator.state.topic.replication.factor", replicas);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("share.coordinator.state.topic.num.partitions", INTERNAL_TOPIC_PARTITIONS);

        // Classic groups (and Kafka Streams on the classic protocol) wait 3 s for more members by default.
        p.put("group.initial.rebalance.delay.ms", "0");

        // KIP-848 consumer groups: members heartbeat often and a dead one is dropped after 10 s, not 45 s.
        p.put("group.consumer.session.timeout.ms", SESSION_TIMEOUT_MS);
        p.put("group.consumer.min.session.timeout.ms", MIN_SESSION_TIMEOUT_MS);
        p.put("group.consumer.heartbeat.interval.ms", HEARTBEAT_MS);
        p.put("group.consumer.min.heartbeat.interval.ms", HEARTBEAT_MS);
        // KIP-1263 (Kafka 4.3) batches assignment updates, 1 s apart by default; with the few members of a test
        // or a laptop there is nothing to batch, and 0 gives a joining member its partitions at once.
        p.put("group.consumer.assignment.interval.ms", ASSIGNMENT_INTERVAL_MS);

        // KIP-932 share groups: the same, and acquired records come back after 15 s (not 30 s) if a worker dies;
        // the lower minimum lets a group or a test choose a lock of a few seconds.
        p.put("group.share.session.timeout.ms", SESSION_TIMEOUT_MS);
        p.put("group.share.min.session.timeout.ms", MIN_SESSION_TIMEOUT_MS);
        p.put("group.share.heartbeat.interval.ms", HEARTBEAT_MS);
        p.put("group.share.min.heartbeat.interval.ms", HEARTBEAT_MS);
        p.put("group.share.assignment.interval.ms", ASSIGNMENT_INTERVAL_MS);
        p.put("group.share.record.lock.duration.ms", "15000");
        p.put("group.share.min.record.lock.duration.ms", "1000");

        // KIP-1071 streams groups, for Kafka Streams apps that opt into the new protocol.
        p.put("group.streams.session.timeout.ms", SESSION_TIMEOUT_MS);
        p.put("group.streams.min.session.timeout.ms", MIN_SESSION_TIMEOUT_MS);
        p.put("group.streams.heartbeat.interval.ms", HEARTBEAT_MS);
        p.put("group.streams.min.heartbeat.interval.ms", HEARTBEAT_MS);
        p.put("group.streams.assignment.interval.ms", ASSIGNMENT_INTERVAL_MS);
        p.put("group.streams.initial.rebalance.delay.ms", "0");

        // A crashed producer's open transaction is aborted once its timeout has passed, but the coordinator only
        // looks every 10 s by default: read_committed readers stayed stuck up to 10 s longer than the timeout.
        // The scan walks the coordinator's in-memory transactions, a trivial cost at once a second.
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        return p;
    }
}

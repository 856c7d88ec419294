package dev.ferry.autoscaler;

import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.ScalingDecision;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaler's third loop: follows the compacted {@code ferry.scaling} from its beginning (so the latest size
 * of every pool is applied again after a restart) and hands each decision, or a removed pool's tombstone, to the
 * {@link Actuator} through an {@link AsyncActuator}: the follower thread only reads, resizes run elsewhere,
 * latest-wins per pool (issue 13). Keys are {@link PoolRef#key()}s: a trigger's pool is told apart by its key
 * ({@code tenant/trigger:name}), since a tombstone has no value to look in; a key of neither form is skipped.
 */
final class ActLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ActLoop.class);

    /** Functions resized at once; more wait their turn (each waits only for its own latest decision). */
    static final int THREADS = 4;

    private final AsyncActuator actuator;
    private final ScalingView view;
    private final Deserializer<ScalingDecision> decisions;
    private final TopicTail tail;

    ActLoop(KafkaClients clients, TopicCatalog topics, Actuator actuator, ScalingView view,
            Deserializer<ScalingDecision> decisions) {
        this.actuator = new AsyncActuator(actuator, THREADS);
        this.view = view;
        this.decisions = decisions;
        this.tail = TopicTail.builder(clients, topics.scaling(), this::actuate).name("ferry-autoscaler-actuator")
                .from(TopicTail.Start.beginning()).build();
    }

    ActLoop start() {
        tail.start();
        return this;
    }

    /** Ready while its tail of {@code ferry.scaling} follows the topic. */
    ReadinessCheck readiness() {
        return tail.readiness();
    }

    private void actuate(ConsumerRecord<byte[], byte[]> record) {
        PoolRef ref;
        try {
            ref = PoolRef.parseKey(new String(record.key(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            log.warn("Skipping {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        if (record.value() == null) {
            view.onRemoved(ref);
            actuator.remove(ref);
            return;
        }
        ScalingDecision decision = decisions.deserialize(record.topic(), record.headers(), record.value());
        view.onDecision(decision);
        actuator.apply(decision);
    }

    @Override
    public void close() {
        tail.close();
        actuator.close();
    }
}

package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.health.ReadinessCheck;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.kafka.TopicTail;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.ScalingDecision;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The autoscaler's third loop: follows the compacted {@code ferry.scaling} from its beginning (so the latest size
 * of every function is applied again after a restart) and hands each decision, or a removed function's
 * tombstone, to the {@link Actuator} through an {@link AsyncActuator}: the follower thread only reads, resizes
 * run elsewhere, latest-wins per function (issue 13).
 */
final class ActLoop implements AutoCloseable {

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
        FunctionRef ref = FunctionRef.parseKey(new String(record.key(), StandardCharsets.UTF_8));
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

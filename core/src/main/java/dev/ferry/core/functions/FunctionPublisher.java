package dev.ferry.core.functions;

import dev.ferry.core.FerryException;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.kafka.KafkaClients;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.FunctionSpec;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes deployments to {@code ferry.functions}: a spec keyed {@code tenant/name} deploys or updates, a tombstone
 * removes. Each call waits for the broker's acknowledgement, so a caller that got an answer knows the change is
 * durable and will reach every {@link FunctionDirectory}.
 */
public final class FunctionPublisher implements AutoCloseable {

    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final KafkaProducer<String, FunctionSpec> producer;
    private final String topic;

    public FunctionPublisher(KafkaClients clients, TopicCatalog topics, Serializer<FunctionSpec> serializer) {
        this.topic = topics.functions();
        this.producer = clients.producer("ferry-function-publisher", new StringSerializer(), serializer,
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
    }

    public void deploy(FunctionSpec spec) {
        send(FunctionSpecs.ref(spec), spec);
    }

    public void remove(FunctionRef ref) {
        send(ref, null);
    }

    private void send(FunctionRef ref, FunctionSpec spec) {
        try {
            producer.send(new ProducerRecord<>(topic, ref.key(), spec)).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new FerryException("Cannot write " + ref + " to " + topic + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new FerryException("Timed out writing " + ref + " to " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted writing " + ref + " to " + topic, e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}

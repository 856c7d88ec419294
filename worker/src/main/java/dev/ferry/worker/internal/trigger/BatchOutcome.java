package dev.ferry.worker.internal.trigger;

import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * How one batch ended, every record of it one way (DESIGN "Triggers", Guarantees): answered or failed.
 *
 * @param writes what to write for it: every attempt's result, the outputs in source order, the failures
 * @param answered records answered (an output on the destination when the function gave one)
 * @param failed records for {@code onFailure}
 */
public record BatchOutcome(List<ProducerRecord<byte[], byte[]>> writes, int answered, int failed) {
}

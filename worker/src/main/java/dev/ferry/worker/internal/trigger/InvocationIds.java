package dev.ferry.worker.internal.trigger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Uuid;

/**
 * The invocation ids of one trigger replica's runs, exactly as {@link BatchRunner#invocationId} derives them
 * ({@code UUID.nameUUIDFromBytes} of {@code <tenant>/<trigger>/<group>/<topicId>/<topic>/<partition>/<offset>/<size>},
 * docs/design.md section 10), but without building that text per run (issue 16, trigger-throughput: at
 * {@code batchSize} 1 an id per record, and writing the Kafka topic id as base64, concatenating the text and
 * encoding it as UTF-8 cost about as much as the MD5 itself).
 *
 * <p>The shape: everything up to the partition is the same for all of a partition's runs, so its UTF-8 bytes are
 * kept for the partition of the last run (a replica runs a partition's records in turns of many), and the digest
 * takes those bytes, then the offset's and the size's ASCII digits with the {@code /} between them. The bytes fed
 * to the digest are the same as the text's UTF-8, so the ids are the same: they must never change, since metering
 * bills an (invocation id, attempt) once, across re-runs. Thread-safe: runs of several lanes may ask at once.
 */
final class InvocationIds {

    private static final byte SLASH = '/';

    /** The bytes before the offset for one partition of one topic incarnation; published whole. */
    private record Prefix(Uuid topicId, String topic, int partition, byte[] bytes) {

        boolean isFor(Uuid id, String name, int number) {
            return partition == number && topicId.equals(id) && topic.equals(name);
        }
    }

    /** {@code <tenant>/<trigger>/<group>/}, the part every id of the replica starts with. */
    private final String start;
    private volatile Prefix last;

    /**
     * @param group the trigger's consumer or share group ({@code TriggerSpecs.group})
     */
    InvocationIds(String tenant, String trigger, String group) {
        this.start = tenant + "/" + trigger + "/" + group + "/";
    }

    /** The id of a run whose first record is {@code first}, of the topic whose Kafka id is {@code topicId}. */
    String of(Uuid topicId, ConsumerRecord<?, ?> first, int size) {
        Prefix prefix = last;
        if (prefix == null || !prefix.isFor(topicId, first.topic(), first.partition())) {
            String text = start + topicId + "/" + first.topic() + "/" + first.partition() + "/";
            prefix = new Prefix(topicId, first.topic(), first.partition(), text.getBytes(StandardCharsets.UTF_8));
            last = prefix;
        }
        MessageDigest md5 = BatchRunner.md5();
        md5.update(prefix.bytes());
        // The digits are shared arrays for small numbers: only read here.
        byte[] offset = TriggerRecords.digits(first.offset());
        md5.update(offset, 0, offset.length);
        md5.update(SLASH);
        byte[] count = TriggerRecords.digits(size);
        md5.update(count, 0, count.length);
        return BatchRunner.typeThree(md5.digest()).toString();
    }
}

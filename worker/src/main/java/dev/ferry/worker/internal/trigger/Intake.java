package dev.ferry.worker.internal.trigger;

import dev.ferry.core.triggers.EventPattern;
import dev.ferry.core.triggers.SourceDecoder;
import dev.ferry.core.triggers.SourceValue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of every source record (DESIGN "Triggers"): decode it per the trigger's {@code format}, then
 * match the trigger's {@code filter} against {@link SourceDecoder#document}. A record that cannot be decoded goes
 * to {@code onFailure} at once, with an error that says why, and the rest flow on ("Bad input gets a clear error
 * and loses nothing"); one that does not match is skipped: counted, never invoked, never billed. Consumer-agnostic
 * and thread-safe.
 */
public final class Intake {

    private static final Logger log = LoggerFactory.getLogger(Intake.class);

    /** What became of a record: exactly one of the three. */
    public enum Kind { READY, FILTERED, UNDECODABLE }

    /**
     * @param item the decoded record when READY
     * @param failure the record for {@code onFailure} when UNDECODABLE
     */
    public record Admission(Kind kind, SourceItem item, ProducerRecord<byte[], byte[]> failure) {
    }

    private final SourceDecoder decoder;
    private final EventPattern filter;
    private final TriggerRecords records;
    private final String name;

    /** @param filter null: every record passes */
    public Intake(SourceDecoder decoder, EventPattern filter, TriggerRecords records, String name) {
        this.decoder = decoder;
        this.filter = filter;
        this.records = records;
        this.name = name;
    }

    public Admission admit(ConsumerRecord<byte[], byte[]> record) {
        SourceValue value;
        try {
            value = decoder.decode(record);
        } catch (RuntimeException e) {
            String why = e.getMessage() != null ? e.getMessage() : e.toString();
            log.warn("[{}] undecodable record {} goes to onFailure: {}", name, SourceItem.where(record), why);
            return new Admission(Kind.UNDECODABLE, null, records.failure(record, TriggerRecords.UNDECODABLE,
                    "Cannot decode the record at " + SourceItem.where(record) + ": " + why, 0));
        }
        if (filter != null && !filter.matches(SourceDecoder.document(record, value))) {
            return new Admission(Kind.FILTERED, null, null);
        }
        return new Admission(Kind.READY, new SourceItem(record, value), null);
    }
}

package dev.ferry.worker.internal.trigger;

import dev.ferry.core.triggers.EventPattern;
import dev.ferry.core.triggers.SourceDecoder;
import dev.ferry.core.triggers.SourceDecodingException;
import dev.ferry.core.triggers.SourceValue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of every source record (DESIGN "Triggers"): decode it per the trigger's {@code format}, then
 * match the trigger's {@code filter} against {@link SourceDecoder#document}. A record that cannot be decoded goes
 * to {@code onFailure} at once, with an error that says why, and the rest flow on ("Bad input gets a clear error
 * and loses nothing"); one that does not match is skipped: counted, never invoked, never billed. When the schema
 * registry, not the record, failed ({@link SourceDecodingException#retriable()}), {@link #admit} throws it, so the
 * replica reports FAILING, waits for the registry and starts over from its committed position: the record is
 * retried, not dead-lettered (docs/design.md section 10), except a share group's record at its
 * {@code worker.delivery.count.limit}-th delivery, which goes to {@code onFailure} saying so rather than back to the
 * group, whose delivery limit would archive it silently. Consumer-agnostic; called from the polling thread only (it tracks each partition's
 * offsets for {@link SourceTopicIds}).
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
    private final boolean batches;
    private final SourceTopicIds topicIds;
    /** A share group's delivery of a record from which a registry failure sends it to onFailure. */
    private final int deliveryLimit;

    /** An intake for single-record invocations, of topics whose ids are not known ({@link Uuid#ZERO_UUID}). */
    public Intake(SourceDecoder decoder, EventPattern filter, TriggerRecords records, String name) {
        this(decoder, filter, records, name, false, null, Integer.MAX_VALUE);
    }

    /**
     * @param filter null: every record passes
     * @param batches whether invocations carry batches, whose documents hold each value's tree: the tree is then
     *        built here, where a value it cannot be built for is undecodable; otherwise only a filter builds it
     *        ({@link SourceValue#json()} is lazy, issue 16)
     * @param topicIds the ids of the source topics, for invocation ids; null: {@link Uuid#ZERO_UUID} (tests)
     * @param deliveryLimit {@code worker.delivery.count.limit}: a share group's record whose schema the registry
     *        cannot give goes to {@code onFailure} at this delivery rather than back to the group (a consumer
     *        group's records have no delivery count and wait for the registry however long)
     */
    Intake(SourceDecoder decoder, EventPattern filter, TriggerRecords records, String name, boolean batches,
            SourceTopicIds topicIds, int deliveryLimit) {
        this.decoder = decoder;
        this.filter = filter;
        this.records = records;
        this.name = name;
        this.batches = batches;
        this.topicIds = topicIds;
        this.deliveryLimit = deliveryLimit;
    }

    /**
     * Whether a source topic was found re-created since the last call ({@link SourceTopicIds#takeRecreated}); false
     * without topic ids.
     */
    boolean takeSourceRecreated() {
        return topicIds != null && topicIds.takeRecreated();
    }

    /** Whether {@code topic}, read before, has another id now ({@link SourceTopicIds#recreated}). */
    boolean sourceRecreated(String topic) {
        return topicIds != null && topicIds.recreated(topic);
    }

    public Admission admit(ConsumerRecord<byte[], byte[]> record) {
        // Every record, filtered or not: an offset going back is seen whatever the filter keeps.
        Uuid topicId = topicIds == null ? Uuid.ZERO_UUID : topicIds.of(record);
        SourceValue value;
        boolean matches = true;
        try {
            value = decoder.decode(record);
            if (filter != null) {
                matches = filter.matches(SourceDecoder.document(record, value));
            } else if (batches) {
                value.json();
            }
        } catch (SourceDecodingException e) {
            int delivered = record.deliveryCount().map(Short::intValue).orElse(0);
            if (e.retriable() && delivered < deliveryLimit) {
                // The registry failed, not the record: the replica waits for it and starts over from its committed
                // position (a consumer group's), or gets the record again (a share group's, one delivery more).
                throw e;
            }
            if (e.retriable()) {
                // A share group's record given back at every outage would meet the broker's silent archive at
                // group.share.delivery.count.limit: sent to onFailure instead, from worker.delivery.count.limit on.
                return undecodable(record, new SourceDecodingException("Delivered " + delivered + " times while "
                        + "the schema registry could not give its schema: " + e.getMessage(), e, false));
            }
            return undecodable(record, e);
        } catch (RuntimeException e) {
            return undecodable(record, e);
        } catch (StackOverflowError e) {
            // Whatever recursed per level of the value (a filter over a deep tree): this record's failure, not the
            // end of the replica's thread (docs/design.md section 11).
            return undecodable(record, new IllegalArgumentException("the value is nested deeper than the stack "
                    + "allows (stack overflow while decoding or filtering it)"));
        }
        if (!matches) {
            return new Admission(Kind.FILTERED, null, null);
        }
        return new Admission(Kind.READY, new SourceItem(record, value, topicId), null);
    }

    private Admission undecodable(ConsumerRecord<byte[], byte[]> record, RuntimeException e) {
        String why = e.getMessage() != null ? e.getMessage() : e.toString();
        log.warn("[{}] undecodable record {} goes to onFailure: {}", name, SourceItem.where(record), why);
        return new Admission(Kind.UNDECODABLE, null, records.failure(record, TriggerRecords.UNDECODABLE, why, 0));
    }
}

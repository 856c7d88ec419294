package dev.ferry.worker.internal.trigger;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places the partitions an {@link OrderedTriggerReplica}'s consumer has no valid position for, as Kafka's
 * {@code auto.offset.reset} would, but saying what it skipped (the replica's consumer runs with {@code none}, so
 * the consumer throws instead of resetting silently; DESIGN "Triggers", starting position and retention):
 * <ul>
 *   <li>a partition without a committed offset (added to a source after the trigger started, or a re-created
 *       topic's: its records were all written since) at its earliest offset;</li>
 *   <li>one whose committed offset is below the log start (retention, or a deletion of records, overtook the
 *       trigger) at the log start, with a warning counting the offsets lost;</li>
 *   <li>one past the log end at the end, unless its topic was re-created under the consumer (a position of the
 *       deleted topic's, {@link Intake#sourceRecreated}): that one is left for the replica to start over.</li>
 * </ul>
 */
final class OffsetReset {

    private static final Logger log = LoggerFactory.getLogger(OffsetReset.class);

    private OffsetReset() {
    }

    /**
     * Seeks the partitions {@code e} names.
     *
     * @param trigger  the trigger's name, for the log
     * @param consumer the replica's consumer, which threw {@code e} from its poll
     * @param intake   the replica's intake, which knows its source topics' ids
     * @param e        a {@link NoOffsetForPartitionException} or an {@link OffsetOutOfRangeException}
     */
    static void place(String trigger, Consumer<?, ?> consumer, Intake intake, RuntimeException e) {
        if (e instanceof NoOffsetForPartitionException none) {
            log.info("[{}] {} have no committed offset (a new trigger's EARLIEST start, a partition added to a source, "
                    + "a re-created source): reading them from their earliest offset", trigger, none.partitions());
            consumer.seekToBeginning(none.partitions());
            return;
        }
        Map<TopicPartition, Long> fetched = ((OffsetOutOfRangeException) e).offsetOutOfRangePartitions();
        Map<TopicPartition, Long> starts = consumer.beginningOffsets(fetched.keySet());
        Map<TopicPartition, Long> ends = consumer.endOffsets(fetched.keySet());
        fetched.forEach((tp, offset) -> {
            long start = starts.getOrDefault(tp, 0L);
            long end = ends.getOrDefault(tp, start);
            if (offset > end && intake.sourceRecreated(tp.topic())) {
                return;
            }
            if (offset > end) {
                log.warn("[{}] the position {} of {} is past its end {}: resuming at the end", trigger, offset, tp,
                        end);
                consumer.seek(tp, end);
            } else {
                log.warn("[{}] records {}..{} of {} were deleted (retention) before the trigger read them: {} "
                        + "offsets skipped, resuming at {}", trigger, offset, start - 1, tp,
                        Math.max(0, start - offset), start);
                consumer.seek(tp, start);
            }
        });
    }
}

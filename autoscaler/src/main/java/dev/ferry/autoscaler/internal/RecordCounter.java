package dev.ferry.autoscaler.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the records in offset ranges of work topics, which offsets alone cannot tell: a transaction's commit
 * marker occupies an offset of every partition the transaction wrote, and aborted records occupy theirs, yet
 * neither is work. The dispatcher writes one transaction per poll batch, so at light load every record is followed
 * by a marker and an offset difference counts each waiting record twice (KEDA issue 5675 is the same defect). The
 * broker's share-partition lag (KIP-1226: end offset − start offset − records whose delivery is complete) counts
 * markers that no member has fetched yet too.
 *
 * <p>How: a {@code read_committed} consumer without a group (the caller's) is assigned the partitions, seeks each
 * to the start of its range and reads to the end; such a consumer returns only committed data records and moves
 * its position past markers and aborted records. At most {@code maxOffsets} offsets are read per partition and
 * the whole call stops after {@code budget}: the rest of a longer range is estimated from the density of records
 * in the part read (a long backlog came in large transactions, where markers are a small share anyway).
 *
 * <p>Not thread-safe: the consumer is the caller's, used from one thread.
 */
public final class RecordCounter {

    private static final Logger log = LoggerFactory.getLogger(RecordCounter.class);

    /** Offsets {@code [from, to)} of one partition. */
    public record Range(long from, long to) {
        long length() {
            return Math.max(0, to - from);
        }
    }

    private final Consumer<byte[], byte[]> consumer;
    private final long maxOffsets;
    private final Duration budget;

    /**
     * @param consumer a consumer with {@code isolation.level=read_committed}, no group and byte-array
     *        deserializers; the caller owns and closes it
     */
    public RecordCounter(Consumer<byte[], byte[]> consumer, long maxOffsets, Duration budget) {
        this.consumer = consumer;
        this.maxOffsets = maxOffsets;
        this.budget = budget;
    }

    /**
     * The number of records in each range; a range that could not be read (in time, or at all) counts as its
     * length, the most it can hold, so a failure never hides work.
     */
    public Map<TopicPartition, Long> count(Map<TopicPartition, Range> ranges) {
        Map<TopicPartition, Set<Range>> each = new HashMap<>();
        ranges.forEach((tp, range) -> each.put(tp, Set.of(range)));
        Map<TopicPartition, Map<Range, Long>> counted = countEach(each);
        Map<TopicPartition, Long> counts = new HashMap<>();
        ranges.forEach((tp, range) -> counts.put(tp, counted.get(tp).get(range)));
        return counts;
    }

    /**
     * The number of records in each of several ranges per partition, with one read of each partition from the
     * lowest start: several groups behind on one topic (two triggers on a source topic) each get their own count.
     * The part of a range beyond what was read is estimated from the density of records in the partition's part
     * read; a range that could not be read at all counts as its length.
     */
    public Map<TopicPartition, Map<Range, Long>> countEach(Map<TopicPartition, Set<Range>> ranges) {
        Map<TopicPartition, Map<Range, Long>> counts = new HashMap<>();
        Map<TopicPartition, Long> starts = new HashMap<>();
        Map<TopicPartition, Long> limits = new HashMap<>();
        ranges.forEach((tp, set) -> {
            Map<Range, Long> byRange = new HashMap<>();
            set.forEach(range -> byRange.put(range, range.length()));
            counts.put(tp, byRange);
            set.stream().filter(r -> r.length() > 0).mapToLong(Range::from).min().ifPresent(from -> {
                long to = set.stream().mapToLong(Range::to).max().orElse(from);
                starts.put(tp, from);
                limits.put(tp, Math.min(to, from + maxOffsets));
            });
        });
        if (limits.isEmpty()) {
            return counts;
        }
        Map<TopicPartition, Map<Range, Long>> seen = new HashMap<>();
        Map<TopicPartition, Long> seenAll = new HashMap<>();
        Map<TopicPartition, Long> reached = new HashMap<>();
        try {
            consumer.assign(new ArrayList<>(limits.keySet()));
            limits.keySet().forEach(tp -> {
                consumer.seek(tp, starts.get(tp));
                seen.put(tp, new HashMap<>());
                seenAll.put(tp, 0L);
                reached.put(tp, starts.get(tp));
            });
            long deadline = System.nanoTime() + budget.toNanos();
            List<TopicPartition> open = new ArrayList<>(limits.keySet());
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    Long limit = limits.get(tp);
                    if (limit == null || record.offset() >= limit) {
                        continue;
                    }
                    seenAll.merge(tp, 1L, Long::sum);
                    for (Range range : ranges.get(tp)) {
                        if (record.offset() >= range.from() && record.offset() < range.to()) {
                            seen.get(tp).merge(range, 1L, Long::sum);
                        }
                    }
                }
                List<TopicPartition> done = new ArrayList<>();
                for (TopicPartition tp : open) {
                    long position = consumer.position(tp, Duration.ofMillis(100));
                    reached.put(tp, Math.min(position, limits.get(tp)));
                    if (position >= limits.get(tp)) {
                        done.add(tp);
                    }
                }
                consumer.pause(done);
                open.removeAll(done);
            }
        } catch (KafkaException e) {
            log.warn("Cannot count the records behind {}; counting their offsets: {}", limits.keySet(), e.toString());
            return counts;
        } finally {
            try {
                consumer.assign(List.of());
            } catch (KafkaException e) {
                log.debug("Cannot unassign the record counter", e);
            }
        }
        limits.keySet().forEach(tp -> {
            long read = reached.get(tp) - starts.get(tp);
            // The unread rest holds records at the density of the part read; nothing read says nothing.
            double density = read <= 0 ? 1.0 : (double) seenAll.get(tp) / read;
            for (Range range : ranges.get(tp)) {
                if (range.length() == 0) {
                    continue;
                }
                long readEnd = Math.max(range.from(), Math.min(range.to(), reached.get(tp)));
                long unread = range.to() - readEnd;
                counts.get(tp).put(range, seen.get(tp).getOrDefault(range, 0L) + Math.round(unread * density));
            }
        });
        return counts;
    }
}

package dev.ferry.bench.internal;

import dev.ferry.core.FerryException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latency half of {@code trigger-throughput}: a paced load (records evenly spaced at {@code rate} per second)
 * into a fresh source topic while one {@link RecordMover} copies it to a fresh destination, both topics with
 * {@code message.timestamp.type=LogAppendTime}. Each output is matched to its source record by the {@code seq} in
 * its JSON value; its end-to-end latency is the destination's append time minus the source's append time, both
 * set by the broker (so no client clock takes part), in milliseconds. Under exactly-once a reader sees the output
 * only once its transaction commits, up to one commit interval after that append.
 */
final class AppendLatency {

    private static final Logger log = LoggerFactory.getLogger(AppendLatency.class);
    private static final long WARM = -1;

    private final MoveTopics topics;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String prefix;

    /** @param prefix the topic prefix of this scenario's runs */
    AppendLatency(MoveTopics topics, KafkaProducer<byte[], byte[]> producer, String prefix) {
        this.topics = topics;
        this.producer = producer;
        this.prefix = prefix;
    }

    /** Runs {@code seconds} of load at {@code rate} records/s through {@code mover}; a histogram of ms. */
    Histogram measure(RecordMover mover, String run, int rate, int seconds) throws Exception {
        String source = prefix + run + ".source";
        String destination = prefix + run + ".destination";
        topics.create(true, source);
        topics.create(true, TriggerThroughputScenario.DESTINATION_CODEC, List.of(destination));
        int total = rate * seconds;
        AtomicLongArray appended = new AtomicLongArray(total);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (RecordMover.Moving moving = mover.start(source, destination, run)) {
            awaitFlowing(moving, source, destination);
            long start = System.nanoTime();
            long intervalNanos = 1_000_000_000L / rate;
            for (int i = 0; i < total; i++) {
                long due = start + i * intervalNanos;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                int seq = i;
                // With LogAppendTime on the topic, the acknowledged metadata carries the broker's append time.
                producer.send(new ProducerRecord<>(source, MoveTopics.key(seq), MoveTopics.value(seq)),
                        (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            } else {
                                appended.set(seq, metadata.timestamp());
                            }
                        });
            }
            producer.flush();
            if (failure.get() != null) {
                throw new FerryException("Cannot produce the paced load to " + source + ": " + failure.get(),
                        failure.get());
            }
            long end = topics.endOffsets(source);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (topics.committed(moving.group(), source) < end) {
                if (System.nanoTime() > deadline) {
                    throw new FerryException(mover.label() + " did not finish the paced load within 60 s");
                }
                Thread.sleep(50);
            }
        }
        Histogram histogram = new Histogram(3);
        boolean[] seen = new boolean[total];
        for (MoveTopics.Output output : topics.readAll(destination, Duration.ofSeconds(60))) {
            if (output.seq() == WARM) {
                continue;
            }
            if (output.seq() < 0 || output.seq() >= total || seen[(int) output.seq()]) {
                throw new FerryException(mover.label() + " wrote an unexpected or repeated record (seq "
                        + output.seq() + ") to " + destination);
            }
            seen[(int) output.seq()] = true;
            histogram.recordValue(Math.max(0, output.timestamp() - appended.get((int) output.seq())));
        }
        if (histogram.getTotalCount() != total) {
            throw new FerryException(mover.label() + " wrote " + histogram.getTotalCount() + " of " + total
                    + " records to " + destination);
        }
        log.info("{}: end-to-end p50 {} ms, p99 {} ms over {} records at {}/s", mover.label(),
                histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99), total, rate);
        return histogram;
    }

    /**
     * Sends one warm-up record at a time until one comes out at the destination: the group has joined and the
     * first transaction is done before the paced load starts, so the start-up is not part of the latency.
     */
    private void awaitFlowing(RecordMover.Moving moving, String source, String destination) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (topics.committed(moving.group(), source) == 0) {
            if (System.nanoTime() > deadline) {
                throw new FerryException("Nothing reached " + destination + " within 60 s");
            }
            producer.send(new ProducerRecord<>(source, MoveTopics.key(0), MoveTopics.value(WARM)));
            producer.flush();
            Thread.sleep(200);
        }
    }
}

package dev.ferry.dispatcher.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DispatchLoopTest {

    private static final String SOURCE = "ferry.invocations";
    private static final TopicPartition TP = new TopicPartition(SOURCE, 0);

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final List<Thread> threads = new ArrayList<>();

    /** Each record becomes one work record carrying the same value. */
    private static final Function<ConsumerRecord<byte[], byte[]>, ProducerRecord<byte[], byte[]>> FORWARD =
            record -> new ProducerRecord<>("ferry.work.acme.resize", 0, record.key(), record.value());

    private final AtomicInteger batches = new AtomicInteger();

    private DispatchLoop start(Function<ConsumerRecord<byte[], byte[]>, ProducerRecord<byte[], byte[]>> router) {
        producer.initTransactions();
        DispatchLoop loop = new DispatchLoop(consumer, producer, router.andThen(List::of), batches::incrementAndGet,
                SOURCE, "ferry.dlq", "test");
        Thread thread = new Thread(loop);
        threads.add(thread);
        thread.start();
        return loop;
    }

    private void deliverThreeRecords() {
        consumer.rebalance(List.of(TP));
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        addRecords();
    }

    private void addRecords() {
        for (long offset = 0; offset < 3; offset++) {
            consumer.addRecord(new ConsumerRecord<>(SOURCE, 0, offset, utf8("k"), utf8("v" + offset)));
        }
    }

    @AfterEach
    void stopThreads() throws InterruptedException {
        consumer.wakeup();
        for (Thread thread : threads) {
            thread.join(5_000);
        }
    }

    @Test
    void shouldCommitTheOutputAndTheOffsetsInOneTransactionWhenTheBatchSucceeds() {
        consumer.schedulePollTask(this::deliverThreeRecords);
        DispatchLoop loop = start(FORWARD);

        await().atMost(Duration.ofSeconds(10)).until(() -> producer.consumerGroupOffsetsHistory().size() == 1);
        loop.stop();

        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("v0", "v1", "v2");
        assertThat(producer.consumerGroupOffsetsHistory().get(0).values())
                .containsExactly(Map.of(TP, new OffsetAndMetadata(3)));
        assertThat(producer.transactionCommitted()).isTrue();
    }

    @Test
    void shouldAbortRewindAndRetryTheBatchWhenTheCommitFails() {
        producer.commitTransactionException = new KafkaException("coordinator moved");
        AtomicLong positionOnRetry = new AtomicLong(-1);
        consumer.schedulePollTask(this::deliverThreeRecords);
        consumer.schedulePollTask(() -> {
            positionOnRetry.set(consumer.position(TP));
            producer.commitTransactionException = null;
            addRecords(); // the broker serves the rewound partition again
        });
        DispatchLoop loop = start(FORWARD);

        await().atMost(Duration.ofSeconds(10)).until(() -> producer.consumerGroupOffsetsHistory().size() == 1);
        loop.stop();

        assertThat(positionOnRetry).hasValue(0);
        assertThat(batches).hasValue(2);
        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("v0", "v1", "v2"); // the aborted attempt left nothing behind
        assertThat(producer.consumerGroupOffsetsHistory().get(0).values())
                .containsExactly(Map.of(TP, new OffsetAndMetadata(3)));
        assertThat(loop.failure()).isNull();
    }

    @Test
    void shouldRetryTheBatchWhenRoutingAsksForIt() {
        AtomicReference<Boolean> registryUp = new AtomicReference<>(false);
        consumer.schedulePollTask(this::deliverThreeRecords);
        consumer.schedulePollTask(() -> {
            registryUp.set(true);
            addRecords();
        });
        DispatchLoop loop = start(record -> {
            if (!registryUp.get()) {
                throw new dev.ferry.core.RetriableFerryException("registry unreachable");
            }
            return FORWARD.apply(record);
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> producer.consumerGroupOffsetsHistory().size() == 1);
        loop.stop();
        assertThat(producer.history()).hasSize(3);
    }

    /** Session 12: a batch that keeps failing on the registry gives the partitions away until the registry answers. */
    @Test
    void shouldLeaveTheGroupWhenBatchesKeepFailingAndSubscribeAgainWhenTheRegistryAnswers() {
        AtomicReference<Boolean> registryUp = new AtomicReference<>(false);
        consumer.schedulePollTask(this::deliverThreeRecords);
        producer.initTransactions();
        DispatchLoop loop = new DispatchLoop(consumer, producer, record -> {
            if (!registryUp.get()) {
                throw new dev.ferry.core.RetriableFerryException("routing", new dev.ferry.schemas.registry
                        .SchemaRegistryException(-1, -1, "Schema registry at http://localhost:1 unreachable"));
            }
            return List.of(FORWARD.apply(record));
        }, () -> { }, SOURCE, "ferry.dlq", "test", DispatchMeters.none())
                .steppingOut(new StepOut(1, Duration.ZERO, System::nanoTime), () -> registryUp.get()
                        ? java.util.Optional.empty() : java.util.Optional.of("unreachable"));
        Thread thread = new Thread(loop);
        threads.add(thread);
        thread.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> loop.steppedOut().isPresent());
        assertThat(consumer.subscription()).isEmpty();
        assertThat(loop.steppedOut().get()).contains("schema registry is unavailable").contains("rejoins once");
        assertThat(producer.history()).isEmpty();

        consumer.schedulePollTask(this::deliverThreeRecords);
        registryUp.set(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.consumerGroupOffsetsHistory().size() == 1);
        loop.stop();
        assertThat(consumer.subscription()).containsExactly(SOURCE);
        assertThat(loop.steppedOut()).isEmpty();
        assertThat(producer.history()).hasSize(3);
        assertThat(loop.failure()).isNull();
    }

    @Test
    void shouldStopAndLeaveTheGroupWhenTheProducerIsFenced() {
        producer.initTransactions();
        producer.fenceProducer();
        consumer.schedulePollTask(this::deliverThreeRecords);
        DispatchLoop loop = new DispatchLoop(consumer, producer, FORWARD.andThen(List::of), () -> { }, SOURCE,
                "ferry.dlq", "test");
        Thread thread = new Thread(loop);
        threads.add(thread);
        thread.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> !loop.running());

        assertThat(loop.failure()).isInstanceOf(ProducerFencedException.class);
        assertThat(producer.history()).isEmpty();
        assertThat(consumer.subscription()).isEmpty();
    }

    @Test
    void shouldFinishTheBatchInFlightWhenStopped() {
        consumer.schedulePollTask(this::deliverThreeRecords);
        AtomicReference<DispatchLoop> self = new AtomicReference<>();
        DispatchLoop loop = start(record -> {
            self.get().stop(); // close() arrives while the batch is being routed
            return FORWARD.apply(record);
        });
        self.set(loop);

        await().atMost(Duration.ofSeconds(10)).until(() -> !loop.running());

        assertThat(producer.history()).hasSize(3);
        assertThat(producer.consumerGroupOffsetsHistory()).hasSize(1);
        assertThat(producer.transactionInFlight()).isFalse();
    }

    @Test
    void shouldTakeTheProducersInTurnAndRetryAnAbortedBatchOnTheOtherWhenGivenTwo() {
        MockProducer<byte[], byte[]> other =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        other.initTransactions();
        producer.initTransactions();
        other.commitTransactionException = new KafkaException("coordinator moved"); // the second batch's first try
        consumer.schedulePollTask(this::deliverThreeRecords);
        consumer.schedulePollTask(() -> consumer.addRecord(record(3)));
        consumer.schedulePollTask(() -> {
            other.commitTransactionException = null;
            consumer.addRecord(record(3)); // served again, rewound
        });
        consumer.schedulePollTask(() -> consumer.addRecord(record(4)));
        DispatchLoop loop = new DispatchLoop(consumer, List.of(producer, other), FORWARD.andThen(List::of), () -> { },
                SOURCE, "ferry.dlq", "test", DispatchMeters.none());
        Thread thread = new Thread(loop);
        threads.add(thread);
        thread.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> producer.consumerGroupOffsetsHistory().size() == 2
                && other.consumerGroupOffsetsHistory().size() == 1);
        loop.stop();

        // v0-v2 on the first producer, v3 aborted on the second and then committed on the first, v4 on the second.
        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("v0", "v1", "v2", "v3");
        assertThat(other.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("v4");
        assertThat(producer.consumerGroupOffsetsHistory()).extracting(offsets -> offsets.values().iterator().next())
                .containsExactly(Map.of(TP, new OffsetAndMetadata(3)), Map.of(TP, new OffsetAndMetadata(4)));
        assertThat(other.consumerGroupOffsetsHistory().get(0).values())
                .containsExactly(Map.of(TP, new OffsetAndMetadata(5)));
        assertThat(loop.failure()).isNull();
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset) {
        return new ConsumerRecord<>(SOURCE, 0, offset, utf8("k"), utf8("v" + offset));
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}

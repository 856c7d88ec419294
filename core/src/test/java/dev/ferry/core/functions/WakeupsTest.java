package dev.ferry.core.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.FunctionRef;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class WakeupsTest {

    private static final FunctionRef ASLEEP = new FunctionRef("acme", "asleep");
    private static final FunctionRef AWAKE = new FunctionRef("acme", "awake");

    private final Map<FunctionRef, Integer> replicas = new HashMap<>(Map.of(ASLEEP, 0, AWAKE, 2));
    private final PoolWakeups local = new PoolWakeups();
    private final Wakeups wakeups = new Wakeups("ferry.wakeups", ref -> replicas.getOrDefault(ref, -1), local,
            Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC));

    @Test
    void shouldWriteOneWakeupForAPoolAtZeroAndNoneForAPoolWithReplicasWhenNoAutoscalerRunsHere() {
        wakeups.newBatch();
        ProducerRecord<byte[], byte[]> wakeup = wakeups.routed(ASLEEP).orElseThrow();
        assertThat(wakeup.topic()).isEqualTo("ferry.wakeups");
        assertThat(new String(wakeup.key(), StandardCharsets.UTF_8)).isEqualTo("acme/asleep");
        assertThat(wakeups.routed(ASLEEP)).as("one per batch and pool").isEmpty();
        assertThat(wakeups.routed(AWAKE)).as("a pool with replicas needs no wakeup").isEmpty();
        assertThat(wakeups.routed(new FunctionRef("acme", "unknown"))).as("no sample yet: probably at zero")
                .isPresent();
        wakeups.committed();

        wakeups.newBatch();
        assertThat(wakeups.routed(ASLEEP)).as("not again within a second of the last").isEmpty();
    }

    @Test
    void shouldWakeAgainWhenTheBatchThatCarriedTheWakeupAborted() {
        wakeups.newBatch();
        assertThat(wakeups.routed(ASLEEP)).isPresent();
        wakeups.newBatch(); // the batch was aborted and is retried
        assertThat(wakeups.routed(ASLEEP)).isPresent();
    }

    @Test
    void shouldTellAnAutoscalerInThisProcessAfterTheCommitInsteadOfWritingARecord() {
        List<FunctionRef> heard = new ArrayList<>();
        local.addListener(heard::addAll);
        wakeups.newBatch();
        assertThat(wakeups.routed(ASLEEP)).as("no Kafka hop in one process").isEmpty();
        assertThat(heard).as("not before the commit").isEmpty();
        wakeups.committed();
        assertThat(heard).containsExactly(ASLEEP);
    }
}

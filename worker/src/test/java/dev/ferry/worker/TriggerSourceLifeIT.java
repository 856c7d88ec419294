package dev.ferry.worker;

import static dev.ferry.worker.TriggerFixture.enrich;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import dev.ferry.schemas.TriggerState;
import dev.ferry.worker.TriggerFixture.Sink;
import dev.ferry.worker.internal.trigger.TriggerReplica;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code LATEST} trigger through the life of its source topic (DESIGN "Triggers", where a trigger starts; tester
 * 12A, findings 1, 2 and 4): its starting position decides only where it starts, so partitions added later, records
 * left after retention overtook it, and a topic deleted and re-created under it are all read, and a topic that is
 * gone makes it FAILING. Each ran nothing, silently, when the replica reset to the end.
 */
@FerryKafkaTest
@Timeout(180)
class TriggerSourceLifeIT {

    @Test
    void shouldAnswerRecordsWrittenToAPartitionAddedToTheSourceAtOnce(KafkaFixture kafka) throws Exception {
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            String source = f.topic("grow", 1);
            Sink outputs = f.sink("grow-out");
            f.produce(source, 5, 1); // before the trigger: not its work
            TriggerSpec spec = f.spec("grow", "enrich-g", source).setDestination(outputs.topic()).build();
            try (TriggerPool pool = f.pool(spec, enrich("acme", "enrich-g", 2, 3))) {
                f.awaitMember(spec);
                f.produceTo(source, 0, 2);
                await().atMost(Duration.ofSeconds(30)).until(() -> outputs.size() >= 2);
                kafka.admin().createPartitions(Map.of(source, NewPartitions.increaseTo(3))).all()
                        .get(10, TimeUnit.SECONDS);
                f.produceTo(source, 1, 5);
                f.produceTo(source, 2, 5);
                await().atMost(Duration.ofSeconds(90)).until(() -> outputs.size() >= 12);
            }
            assertThat(outputs.stream().map(TriggerKit::source).toList()).doesNotHaveDuplicates()
                    .hasSize(12).noneMatch(s -> s.equals(source + "-0@0"));
        }
    }

    @Test
    void shouldStartANoneTriggerAtTheEndAndReadAPartitionAddedLaterFromItsStart(KafkaFixture kafka) throws Exception {
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            String source = f.topic("grow-share", 1);
            Sink outputs = f.sink("grow-share-out");
            f.produce(source, 5, 1); // before the trigger: not its work
            TriggerSpec spec = f.spec("grow-share", "enrich-gs", source).setOrdering(TriggerOrdering.NONE)
                    .setDestination(outputs.topic()).build();
            try (TriggerPool pool = f.pool(spec, enrich("acme", "enrich-gs", 2, 3))) {
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> !kafka.admin()
                        .describeShareGroups(List.of(f.group(spec))).describedGroups()
                        .get(f.group(spec)).get().members().isEmpty());
                f.produceTo(source, 0, 2);
                await().atMost(Duration.ofSeconds(30)).until(() -> outputs.size() >= 2);
                kafka.admin().createPartitions(Map.of(source, NewPartitions.increaseTo(2))).all()
                        .get(10, TimeUnit.SECONDS);
                f.produceTo(source, 1, 5);
                await().atMost(Duration.ofSeconds(90)).until(() -> outputs.size() >= 7);
            }
            assertThat(outputs.stream().map(TriggerKit::source).distinct().toList()).hasSize(7)
                    .noneMatch(s -> s.equals(source + "-0@0"));
        }
    }

    @Test
    void shouldResumeAtTheEarliestRemainingRecordWhenRetentionOvertookIt(KafkaFixture kafka) throws Exception {
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            String source = f.topic("kept", 1);
            Sink outputs = f.sink("kept-out");
            TriggerSpec spec = f.spec("kept", "enrich-k", source).setDestination(outputs.topic()).build();
            try (TriggerPool pool = f.pool(spec, enrich("acme", "enrich-k", 2, 3))) {
                f.awaitMember(spec);
                f.produceTo(source, 0, 5);
                f.awaitCaughtUp(spec, Duration.ofSeconds(30), () -> outputs.size() >= 5);
                pool.resize(0);
                f.produceTo(source, 0, 20); // offsets 5..24, unread
                kafka.admin().deleteRecords(Map.of(new TopicPartition(source, 0), RecordsToDelete.beforeOffset(15)))
                        .all().get(10, TimeUnit.SECONDS); // as retention would: 5..14 are gone
                pool.resize(1);
                f.awaitCaughtUp(spec, Duration.ofSeconds(60), () -> outputs.size() >= 15);
            }
            assertThat(outputs.stream().map(TriggerKit::source).toList()).containsExactlyElementsOf(
                    IntStream.concat(IntStream.range(0, 5), IntStream.range(15, 25)).mapToObj(o -> source + "-0@" + o)
                            .toList());
        }
    }

    @Test
    void shouldBeFailingWhileItsSourceIsGoneAndAnswerAllOfTheRecreatedTopic(KafkaFixture kafka) throws Exception {
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            String source = f.topic("reborn", 2);
            Sink outputs = f.sink("reborn-out");
            TriggerSpec spec = f.spec("reborn", "enrich-r", source).setDestination(outputs.topic()).build();
            try (TriggerPool pool = f.pool(spec, enrich("acme", "enrich-r", 2, 3))) {
                f.awaitMember(spec);
                f.produce(source, 4, 4);
                await().atMost(Duration.ofSeconds(30)).until(() -> outputs.size() >= 4);
                TriggerReplica replica = pool.members().get(0);
                f.deleteTopic(source);
                await().atMost(Duration.ofSeconds(60)).until(() -> replica.state() == TriggerState.FAILING
                        && String.valueOf(replica.error()).contains("source topic(s) [" + source + "] do not exist"));
                f.awaitRecreated("reborn", 2);
                f.produce(source, 10, 5);
                await().atMost(Duration.ofSeconds(60)).until(() -> outputs.size() >= 14
                        && replica.state() == TriggerState.RUNNING);
            }
            assertThat(outputs).hasSize(14);
        }
    }

    @Test
    void shouldReadARecreatedSourceFromItsStartWhenNoReplicaOfThisProcessSawTheTriggersGroup(KafkaFixture kafka)
            throws Exception {
        // Tester 13A, finding 1: the source re-created while no replica ran (a restart, a pool at zero); the group
        // had no offsets left, looked new, and LATEST put it at the new topic's end: every record skipped.
        try (TriggerFixture f = new TriggerFixture(kafka)) {
            String source = f.topic("phoenix", 1);
            Sink outputs = f.sink("phoenix-out");
            f.produce(source, 3, 3); // before the trigger: never read
            TriggerSpec spec = f.spec("phoenix", "enrich-p", source).setDestination(outputs.topic())
                    .setUpdatedAt(Instant.now()).build();
            f.deleteTopic(source);
            f.awaitRecreated("phoenix", 1);
            f.produce(source, 5, 5);

            try (TriggerPool pool = f.pool(spec, enrich("acme", "enrich-p", 2, 3))) {
                f.awaitCaughtUp(spec, Duration.ofSeconds(60), () -> outputs.size() >= 5);
            }
            assertThat(outputs).hasSize(5);
        }
    }
}

package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/**
 * Kafka's ERROR lines about what it recovers from reach the console as one WARN line without a stack trace saying
 * so, or not at all when the caller handles the error; every other line passes as it is.
 */
class RecoveryLinesTest {

    private static final String FENCED_TAIL = "\nWritten offsets would not be recorded and no more records would be "
            + "sent since the producer is fenced, indicating the task may be migrated out";

    private static LoggingEvent event(String logger, Level level, String message, Throwable thrown) {
        return new LoggingEvent(RecoveryLinesTest.class.getName(), new LoggerContext().getLogger(logger), level,
                message, thrown, null);
    }

    /** The line Streams logs for a send that failed with {@code thrown}, with Streams' own tail for it. */
    private static LoggingEvent sendError(Throwable thrown, String tail) {
        return event(RecoveryLines.RECORD_COLLECTOR, Level.ERROR, "stream-thread [ferry-metering-1-StreamThread-1] "
                + "Error encountered sending record to topic ferry-metering-by-function-repartition for task 0_0 due "
                + "to:\n" + thrown + tail, thrown);
    }

    @Test
    void shouldSayAFencedStreamsProducerAsOneWarningThatItRecovers() {
        // The tester's line after kill -9 of one broker of three under load.
        ILoggingEvent said = RecoveryLines.reword(sendError(new InvalidProducerEpochException(
                "Producer attempted to produce with an old epoch."), FENCED_TAIL));

        assertThat(said.getLevel()).isEqualTo(Level.WARN);
        assertThat(said.getThrowableProxy()).as("no stack trace").isNull();
        assertThat(said.getLoggerName()).isEqualTo(RecoveryLines.RECORD_COLLECTOR);
        assertThat(said.getFormattedMessage()).startsWith("stream-thread [ferry-metering-1-StreamThread-1] Task 0_0")
                .contains("ferry-metering-by-function-repartition").contains("InvalidProducerEpochException")
                .contains("resumes it from its last commit").doesNotContain("no more records would be sent")
                .doesNotContain("\n");
    }

    @Test
    void shouldKeepEveryOtherSendErrorAsItIs() {
        LoggingEvent timedOut = sendError(new TimeoutException("Expiring 1 record(s)"), "\nThe broker is either slow");
        assertThat(RecoveryLines.reword(timedOut)).isSameAs(timedOut);
        // The fenced wording with an exception Streams does not recover from by migrating the task.
        LoggingEvent denied = sendError(new TopicAuthorizationException("denied"), FENCED_TAIL);
        assertThat(RecoveryLines.reword(denied)).isSameAs(denied);
        LoggingEvent unthrown = event(RecoveryLines.RECORD_COLLECTOR, Level.ERROR, "Error encountered sending record "
                + "to topic t for task 0_0 due to:" + FENCED_TAIL, null);
        assertThat(RecoveryLines.reword(unthrown)).isSameAs(unthrown);
    }

    @Test
    void shouldDropTheAdminLookupsUnknownTopicWhichItsCallerHandles() {
        // The gateway's first start, checking the reply topic it had just created.
        LoggingEvent unknown = event(RecoveryLines.PARTITION_LEADER_STRATEGY, Level.ERROR,
                "[AdminClient clientId=ferry-gateway-admin] Received unknown topic error for topic ferry.replies.gw-a",
                new UnknownTopicOrPartitionException("This server does not host this topic-partition."));
        assertThat(RecoveryLines.reword(unknown)).isNull();
        assertThat(RecoveryLines.reword(event(RecoveryLines.PARTITION_LEADER_STRATEGY, Level.ERROR,
                "Received unknown topic error for topic t", null))).isNull();
    }

    @Test
    void shouldSayTheBrokersRefusalOfABatchThatOvertookItsTransactionsFirstAsAWarning() {
        // docs/design.md: a race of transactions v2 that Kafka handles, printed by ferry dev's own broker.
        String line = "[ReplicaManager broker=0] Error processing append operation on partition ferry.out-0";
        LoggingEvent overtaken = event(RecoveryLines.REPLICA_MANAGER, Level.ERROR, line,
                new OutOfOrderSequenceException("Invalid sequence number for producer 7 at offset 12 in partition "
                        + "ferry.out-0: 1 (incoming seq. number). Expected sequence 0 for transactions v2 idempotent "
                        + "producer with no existing state."));

        ILoggingEvent said = RecoveryLines.reword(overtaken);

        assertThat(said.getLevel()).isEqualTo(Level.WARN);
        assertThat(said.getThrowableProxy()).isNull();
        assertThat(said.getFormattedMessage()).startsWith("[ReplicaManager broker=0] Refused").contains("ferry.out-0")
                .contains("nothing is lost, repeated or aborted");
        LoggingEvent otherSequence = event(RecoveryLines.REPLICA_MANAGER, Level.ERROR, line,
                new OutOfOrderSequenceException("Out of order sequence number for producer 7: 5 (incoming seq. "
                        + "number), 3 (current end sequence number)"));
        assertThat(RecoveryLines.reword(otherSequence)).isSameAs(otherSequence);
    }

    @Test
    void shouldDropACoordinatorLoadCutShortByALeadershipMove() {
        // ferry dev --brokers 3 stopping: the brokers stop one after another and leadership moves.
        String line = "[GroupCoordinator id=1] Failed to load metadata from __consumer_offsets-1 with epoch 1 due to "
                + "Stopped loading records from __consumer_offsets-1 because the partition is not online or is no "
                + "longer the leader.";
        assertThat(RecoveryLines.reword(event(RecoveryLines.COORDINATOR_RUNTIME, Level.ERROR, line,
                new NotLeaderOrFollowerException("Stopped loading records")))).isNull();
        LoggingEvent corrupt = event(RecoveryLines.COORDINATOR_RUNTIME, Level.ERROR, line,
                new IllegalStateException("Received an unknown record type"));
        assertThat(RecoveryLines.reword(corrupt)).isSameAs(corrupt);
    }

    @Test
    void shouldKeepRealFailuresAndOtherLevels() {
        LoggingEvent denied = event(RecoveryLines.PARTITION_LEADER_STRATEGY, Level.ERROR,
                "[AdminClient clientId=a] Received authorization failure for topic t in `Metadata` response",
                new TopicAuthorizationException("denied"));
        assertThat(RecoveryLines.reword(denied)).isSameAs(denied);
        LoggingEvent other = event("dev.ferry.ingest.Gateway", Level.ERROR, "Received unknown topic error for topic t",
                null);
        assertThat(RecoveryLines.reword(other)).isSameAs(other);
        LoggingEvent warning = event(RecoveryLines.RECORD_COLLECTOR, Level.WARN, sendError(
                new InvalidProducerEpochException("old epoch"), FENCED_TAIL).getMessage(),
                new InvalidProducerEpochException("old epoch"));
        assertThat(RecoveryLines.reword(warning)).isSameAs(warning);
    }

    private static final String CORRUPTED = "org.apache.kafka.streams.errors.TaskCorruptedException: Tasks [%s] are "
            + "corrupted and hence need to be re-initialized";

    private static String taskExceptions(String map) {
        return "stream-thread [t-metering-1-StreamThread-1] Get exceptions for the following tasks: {" + map + "}";
    }

    @Test
    void shouldDropStreamsLineAboutTasksOnlyCorruptedAndKeepItWhenAnyFailedOtherwise() {
        assertThat(RecoveryLines.reword(event(RecoveryLines.TASK_MANAGER, Level.ERROR,
                taskExceptions("1_1=" + CORRUPTED.formatted("1_1")), null))).isNull();
        assertThat(RecoveryLines.reword(event(RecoveryLines.TASK_MANAGER, Level.ERROR, taskExceptions("1_1="
                + CORRUPTED.formatted("1_1, 1_3") + ", 1_3=" + CORRUPTED.formatted("1_1, 1_3")), null))).isNull();

        LoggingEvent mixed = event(RecoveryLines.TASK_MANAGER, Level.ERROR, taskExceptions("1_1="
                + CORRUPTED.formatted("1_1") + ", 1_2=org.apache.kafka.streams.errors.StreamsException: boom"), null);
        assertThat(RecoveryLines.reword(mixed)).isSameAs(mixed);
        LoggingEvent fenced = event(RecoveryLines.TASK_MANAGER, Level.ERROR,
                taskExceptions("0_0=org.apache.kafka.common.KafkaException: fenced"), null);
        assertThat(RecoveryLines.reword(fenced)).isSameAs(fenced);
        LoggingEvent otherLogger = event("org.apache.kafka.streams.processor.internals.StreamThread", Level.ERROR,
                taskExceptions("1_1=" + CORRUPTED.formatted("1_1")), null);
        assertThat(RecoveryLines.reword(otherLogger)).isSameAs(otherLogger);
        LoggingEvent other = event(RecoveryLines.TASK_MANAGER, Level.ERROR, "something else failed", null);
        assertThat(RecoveryLines.reword(other)).isSameAs(other);
    }

    /** The line as Kafka 4.3's ControllerApis writes it (request description shortened). */
    private static final String UNEXPECTED = "[ControllerApis nodeId=1] Unexpected error handling request "
            + "RequestHeader(apiKey=%s, apiVersion=0, clientId=raft-client-1, correlationId=1) -- "
            + "ControllerRegistrationRequestData(controllerId=1) with context RequestContext(...)";

    @Test
    void shouldDropTheControllerRegistrationThatReachedTheControllerBeforeItWasActive() {
        assertThat(RecoveryLines.reword(event(RecoveryLines.CONTROLLER_APIS, Level.ERROR,
                UNEXPECTED.formatted("CONTROLLER_REGISTRATION"),
                new NotControllerException("The active controller appears to be node 1.")))).isNull();
        // The variant Kafka 4.3.1 logs on most restarts: wrapped by the controller's future (tester 10, 7d).
        assertThat(RecoveryLines.reword(event(RecoveryLines.CONTROLLER_APIS, Level.ERROR,
                UNEXPECTED.formatted("CONTROLLER_REGISTRATION"), new CompletionException(
                        new NotControllerException("The active controller appears to be node 1."))))).isNull();
        assertThat(RecoveryLines.reword(event(RecoveryLines.REGISTRATION_MANAGER, Level.ERROR,
                "[ControllerRegistrationManager id=1 incarnation=x] RegistrationResponseHandler: controller returned "
                        + "error NOT_CONTROLLER (The active controller appears to be node 1.)", null))).isNull();
    }

    @Test
    void shouldKeepEveryOtherControllerError() {
        List<LoggingEvent> kept = List.of(
                event(RecoveryLines.CONTROLLER_APIS, Level.ERROR, UNEXPECTED.formatted("CONTROLLER_REGISTRATION"),
                        new UnknownServerException("boom")),
                event(RecoveryLines.CONTROLLER_APIS, Level.ERROR, UNEXPECTED.formatted("CONTROLLER_REGISTRATION"),
                        new CompletionException(new UnknownServerException("boom"))),
                event(RecoveryLines.CONTROLLER_APIS, Level.ERROR, UNEXPECTED.formatted("CREATE_TOPICS"),
                        new NotControllerException("The active controller appears to be node 1.")),
                event(RecoveryLines.REGISTRATION_MANAGER, Level.ERROR,
                        "RegistrationResponseHandler: controller returned error INVALID_REGISTRATION (x)", null),
                event("kafka.server.BrokerServer", Level.ERROR, "controller returned error NOT_CONTROLLER", null));
        assertThat(kept).allSatisfy(line -> assertThat(RecoveryLines.reword(line)).isSameAs(line));
    }

    @Test
    void shouldDropAReconciliationCutShortByTheConsumersOwnClose() {
        // Seen at every bench run as a worker stopped an ORDERED pool's replica during a rebalance.
        String line = "[Consumer clientId=ferry-bench/echo-ordered#1, groupId=bench-pipeline-worker.bench.echo-ordered]"
                + " Reconciliation failed.";
        assertThat(RecoveryLines.reword(event(RecoveryLines.MEMBERSHIP_MANAGER, Level.ERROR, line,
                new CompletionException(new TimeoutException("PartitionsAssignedEvent could not be completed before "
                        + "the consumer closed"))))).isNull();

        LoggingEvent timedOut = event(RecoveryLines.MEMBERSHIP_MANAGER, Level.ERROR, line,
                new CompletionException(new TimeoutException("Commit timed out")));
        assertThat(RecoveryLines.reword(timedOut)).isSameAs(timedOut);
        LoggingEvent failed = event(RecoveryLines.MEMBERSHIP_MANAGER, Level.ERROR, line,
                new CompletionException(new IllegalStateException("boom")));
        assertThat(RecoveryLines.reword(failed)).isSameAs(failed);
    }
}

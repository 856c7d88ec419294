package dev.ferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Says Kafka's ERROR lines about a failure Kafka recovers from on its own for what they are, before they reach the
 * console: at most a WARN, without a stack trace, saying that it recovers. Every other line passes as it is, so a
 * real failure keeps its ERROR. An appender in front of the console's ({@code logback.xml}): a filter can only keep
 * or drop a line, not say it differently.
 *
 * <p>The lines, each matched by its logger, its level, its words and its exception (not by its words alone):
 * <ul>
 *   <li><b>A Kafka Streams task's producer fenced</b> ({@code RecordCollectorImpl}: "Error encountered sending
 *       record to topic T for task 0_0 due to: InvalidProducerEpochException ... no more records would be sent
 *       since the producer is fenced, indicating the task may be migrated out"), seen after a broker of three was
 *       killed under load. Streams logs that line for exactly four exceptions ({@code ProducerFencedException},
 *       {@code InvalidPidMappingException}, {@code InvalidProducerEpochException},
 *       {@code OutOfOrderSequenceException}), and for those it raises a {@code TaskMigratedException} instead of
 *       failing: the stream thread closes the task, its transaction aborted under exactly-once (metering), and
 *       resumes it from its last commit with a new producer. "No more records would be sent" is about that
 *       producer, not the service; metering's bills stayed exact (MeteringCrashIT). Becomes one WARN line.</li>
 *   <li><b>An Admin call's partition-leader lookup for a topic the asked broker does not know yet</b>
 *       ({@code PartitionLeaderStrategy}: "Received unknown topic error for topic T", with a stack trace), seen
 *       when the gateway checked the reply topic it had just created: the broker that answered the lookup had not
 *       yet applied the topic's creation. The same error is handed to the call's caller, whose business it is:
 *       Ferry's topic provisioning asks again until every partition's leader serves it, and every other Ferry
 *       caller says in its own words what it could not do. Dropped: Kafka's DEBUG lines about the same lookup
 *       ("Will retry") are not shown either.</li>
 *   <li><b>{@code ferry dev}'s broker refusing a transactional producer's batch that overtook the first of its
 *       transaction</b> ({@code ReplicaManager}: "Error processing append operation on partition P" with
 *       {@code OutOfOrderSequenceException: ... Expected sequence 0 for transactions v2 idempotent producer with no
 *       existing state}): a race of transactions v2 that Kafka handles (docs/design.md, "Triggers": the producer
 *       retries both batches in order and the transaction commits; nothing is lost, repeated or aborted). Only with
 *       that exception and those words; becomes one WARN line.</li>
 *   <li><b>A group or share coordinator's load cut short because its partition's leadership moved</b>
 *       ({@code CoordinatorRuntime}: "Failed to load metadata from __consumer_offsets-1 ... because the partition
 *       is not online or is no longer the leader", a {@code NotLeaderOrFollowerException}), seen from
 *       {@code ferry dev --brokers 3}'s brokers as they stop one after another: the coordinator follows the
 *       partition's leadership, and the new leader loads it. Dropped.</li>
 * </ul>
 *
 * <p>{@link StreamsRecoveryFilter} and {@link KraftStartupRaceFilter} drop two more such lines at the console.
 */
public final class RecoveryLines extends UnsynchronizedAppenderBase<ILoggingEvent>
        implements AppenderAttachable<ILoggingEvent> {

    static final String RECORD_COLLECTOR = "org.apache.kafka.streams.processor.internals.RecordCollectorImpl";
    static final String PARTITION_LEADER_STRATEGY =
            "org.apache.kafka.clients.admin.internals.PartitionLeaderStrategy";
    /** The exceptions for which RecordCollectorImpl raises a TaskMigratedException (Kafka Streams 4.3). */
    static final Set<String> FENCED = Set.of(
            "org.apache.kafka.common.errors.ProducerFencedException",
            "org.apache.kafka.common.errors.InvalidPidMappingException",
            "org.apache.kafka.common.errors.InvalidProducerEpochException",
            "org.apache.kafka.common.errors.OutOfOrderSequenceException");
    private static final Pattern SEND_ERROR = Pattern.compile(
            "^(.*?)Error encountered sending record to topic (\\S+) for task (\\S+) due to:");
    private static final String MIGRATED = "the producer is fenced, indicating the task may be migrated out";
    private static final String UNKNOWN_TOPIC = "Received unknown topic error for topic ";
    static final String REPLICA_MANAGER = "kafka.server.ReplicaManager";
    private static final Pattern APPEND_ERROR = Pattern.compile(
            "^(.*?)Error processing append operation on partition (\\S+)");
    private static final String OUT_OF_ORDER = "org.apache.kafka.common.errors.OutOfOrderSequenceException";
    private static final String FIRST_OVERTAKEN =
            "Expected sequence 0 for transactions v2 idempotent producer with no existing state";

    static final String COORDINATOR_RUNTIME = "org.apache.kafka.coordinator.common.runtime.CoordinatorRuntime";
    private static final String NOT_LEADER = "org.apache.kafka.common.errors.NotLeaderOrFollowerException";
    private static final String LOAD_FAILED = "Failed to load metadata from ";

    private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();

    @Override
    protected void append(ILoggingEvent event) {
        ILoggingEvent said = reword(event);
        if (said != null) {
            appenders.appendLoopOnAppenders(said);
        }
    }

    /**
     * What reaches the console for {@code event}: the event itself, a WARN line without a stack trace in its place,
     * or null (dropped). See the class for which lines are reworded and why.
     */
    static ILoggingEvent reword(ILoggingEvent event) {
        if (event.getLevel() != Level.ERROR) {
            return event;
        }
        String message = event.getFormattedMessage();
        if (message == null) {
            return event;
        }
        if (RECORD_COLLECTOR.equals(event.getLoggerName()) && message.contains(MIGRATED)
                && event.getThrowableProxy() != null && FENCED.contains(event.getThrowableProxy().getClassName())) {
            Matcher send = SEND_ERROR.matcher(message);
            if (send.find()) {
                return warning(event, send.group(1) + "Task " + send.group(3) + "'s producer was fenced while "
                        + "sending to " + send.group(2) + " (" + simpleName(event.getThrowableProxy())
                        + ", as after a broker loss or a rebalance); Kafka Streams closes the task, aborting its "
                        + "open transaction, and resumes it from its last commit with a new producer: nothing is "
                        + "lost or counted twice");
            }
        }
        if (PARTITION_LEADER_STRATEGY.equals(event.getLoggerName()) && message.contains(UNKNOWN_TOPIC)) {
            return null;
        }
        IThrowableProxy thrown = event.getThrowableProxy();
        if (COORDINATOR_RUNTIME.equals(event.getLoggerName()) && message.contains(LOAD_FAILED) && thrown != null
                && NOT_LEADER.equals(thrown.getClassName())) {
            return null;
        }
        if (REPLICA_MANAGER.equals(event.getLoggerName()) && thrown != null
                && OUT_OF_ORDER.equals(thrown.getClassName()) && thrown.getMessage() != null
                && thrown.getMessage().contains(FIRST_OVERTAKEN)) {
            Matcher append = APPEND_ERROR.matcher(message);
            if (append.find()) {
                return warning(event, append.group(1) + "Refused a transactional producer's batch for "
                        + append.group(2) + " that overtook the first batch of its transaction (a race of "
                        + "transactions v2); the producer sends both again in order and the transaction commits: "
                        + "nothing is lost, repeated or aborted");
            }
        }
        return event;
    }

    private static ILoggingEvent warning(ILoggingEvent original, String message) {
        LoggingEvent event = new LoggingEvent();
        event.setLoggerName(original.getLoggerName());
        event.setLoggerContextRemoteView(original.getLoggerContextVO());
        event.setThreadName(original.getThreadName());
        event.setInstant(original.getInstant());
        event.setLevel(Level.WARN);
        event.setMessage(message);
        return event;
    }

    private static String simpleName(IThrowableProxy thrown) {
        String name = thrown.getClassName();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    @Override
    public void stop() {
        appenders.detachAndStopAllAppenders();
        super.stop();
    }

    @Override
    public void addAppender(Appender<ILoggingEvent> appender) {
        appenders.addAppender(appender);
    }

    @Override
    public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
        return appenders.iteratorForAppenders();
    }

    @Override
    public Appender<ILoggingEvent> getAppender(String name) {
        return appenders.getAppender(name);
    }

    @Override
    public boolean isAttached(Appender<ILoggingEvent> appender) {
        return appenders.isAttached(appender);
    }

    @Override
    public void detachAndStopAllAppenders() {
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public boolean detachAppender(Appender<ILoggingEvent> appender) {
        return appenders.detachAppender(appender);
    }

    @Override
    public boolean detachAppender(String name) {
        return appenders.detachAppender(name);
    }
}

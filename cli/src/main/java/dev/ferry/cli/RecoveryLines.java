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
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Says Kafka's ERROR lines about a failure Kafka recovers from on its own for what they are, before they reach the
 * console: at most a WARN, without a stack trace, saying that it recovers, or nothing when the line announces an
 * ordinary answer or a recovery the caller already handles. Every other line passes as it is, so a real failure
 * keeps its ERROR. An appender in front of the console's ({@code logback.xml}): a filter can only keep or drop a
 * line, not say it differently. The one place such lines are decided ({@link #RULES}).
 *
 * <p>The lines, each matched by its logger, its level (ERROR: the command keeps Kafka's loggers there), its words and
 * its exception, not by its words alone:
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
 *   <li><b>Metering's tasks found "corrupted" at start</b> ({@code TaskManager}: "Get exceptions for the following
 *       tasks: {1_1=...TaskCorruptedException...}"), dropped only when every task the line names is merely
 *       corrupted. Under {@code exactly_once_v2}, Kafka Streams 4.3 keeps a store's committed changelog offset in
 *       the store itself (KIP-1035), and a window store keeps it in its segments: a metering task whose window
 *       stores were never written has no segment and so no offset, while its key-value stores' directories exist.
 *       Streams takes that for possibly uncommitted data, wipes the task's local state and restores it from its
 *       changelogs, as designed, before it runs (README, "Known limits"). Nothing is lost or billed twice
 *       (MeteringCrashIT).</li>
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
 *   <li><b>The embedded KRaft node's controller registration sent before its controller was active</b>
 *       ({@code ControllerApis}: "Unexpected error handling request ... CONTROLLER_REGISTRATION" with a
 *       {@code NotControllerException}, alone or wrapped in the controller future's {@code CompletionException}, as
 *       Kafka 4.3.1 mostly logs it; and {@code ControllerRegistrationManager}: "controller returned error
 *       NOT_CONTROLLER"), a tester's 15-line stack trace on 1 start of 5 and on most restarts of a data directory.
 *       Every KRaft controller registers with the active one (KIP-919); in {@code ferry dev}'s combined node the
 *       registration may reach the quorum controller between its election and its activation, the answer is
 *       {@code NOT_CONTROLLER}, and the registering side schedules the next attempt after its back-off, which is
 *       acknowledged. Nothing waits on it. Dropped; a {@code NotControllerException} for any other request, and any
 *       other registration error, pass.</li>
 *   <li><b>A consumer's reconciliation of a new assignment cut short by its own close</b>
 *       ({@code ConsumerMembershipManager}: "Reconciliation failed." with a {@code TimeoutException} "...Event
 *       could not be completed before the consumer closed"), seen when a worker stops an ORDERED pool's replica
 *       during a rebalance (the bench's pools, every run): the consumer is leaving the group, which assigns the
 *       partitions again without it, so the assignment it was taking no longer matters. Dropped; any other
 *       reconciliation failure passes.</li>
 * </ul>
 */
public final class RecoveryLines extends UnsynchronizedAppenderBase<ILoggingEvent>
        implements AppenderAttachable<ILoggingEvent> {

    static final String RECORD_COLLECTOR = "org.apache.kafka.streams.processor.internals.RecordCollectorImpl";
    static final String TASK_MANAGER = "org.apache.kafka.streams.processor.internals.TaskManager";
    static final String PARTITION_LEADER_STRATEGY =
            "org.apache.kafka.clients.admin.internals.PartitionLeaderStrategy";
    static final String REPLICA_MANAGER = "kafka.server.ReplicaManager";
    static final String COORDINATOR_RUNTIME = "org.apache.kafka.coordinator.common.runtime.CoordinatorRuntime";
    static final String CONTROLLER_APIS = "kafka.server.ControllerApis";
    static final String REGISTRATION_MANAGER = "kafka.server.ControllerRegistrationManager";
    static final String MEMBERSHIP_MANAGER = "org.apache.kafka.clients.consumer.internals.ConsumerMembershipManager";

    /** The exceptions for which RecordCollectorImpl raises a TaskMigratedException (Kafka Streams 4.3). */
    static final Set<String> FENCED = Set.of(
            "org.apache.kafka.common.errors.ProducerFencedException",
            "org.apache.kafka.common.errors.InvalidPidMappingException",
            "org.apache.kafka.common.errors.InvalidProducerEpochException",
            "org.apache.kafka.common.errors.OutOfOrderSequenceException");
    private static final Pattern SEND_ERROR = Pattern.compile(
            "^(.*?)Error encountered sending record to topic (\\S+) for task (\\S+) due to:");
    private static final String MIGRATED = "the producer is fenced, indicating the task may be migrated out";
    private static final String TASK_EXCEPTIONS = "Get exceptions for the following tasks: {";
    /** The start of each entry of the task-to-exception map: {@code {1_1=} or {@code , 0_2=}. */
    private static final Pattern TASK = Pattern.compile("(?:\\{|, )\\d+_\\d+=");
    private static final String CORRUPTED = "=org.apache.kafka.streams.errors.TaskCorruptedException: ";
    private static final String UNKNOWN_TOPIC = "Received unknown topic error for topic ";
    private static final Pattern APPEND_ERROR = Pattern.compile(
            "^(.*?)Error processing append operation on partition (\\S+)");
    private static final String OUT_OF_ORDER = "org.apache.kafka.common.errors.OutOfOrderSequenceException";
    private static final String FIRST_OVERTAKEN =
            "Expected sequence 0 for transactions v2 idempotent producer with no existing state";
    private static final String NOT_LEADER = "org.apache.kafka.common.errors.NotLeaderOrFollowerException";
    private static final String LOAD_FAILED = "Failed to load metadata from ";
    static final String NOT_CONTROLLER = "org.apache.kafka.common.errors.NotControllerException";
    private static final String TIMEOUT = "org.apache.kafka.common.errors.TimeoutException";
    private static final String CLOSED_FIRST = "could not be completed before the consumer closed";

    /**
     * One line of Kafka's that announces a recovery: its logger, whether an ERROR line of that logger is it, and what
     * reaches the console in its place ({@code null}: nothing).
     */
    private record Rule(String logger, Predicate<ILoggingEvent> matches, UnaryOperator<ILoggingEvent> said) {
    }

    /** Every line this appender says otherwise or drops, in the order of the class's list. */
    private static final List<Rule> RULES = List.of(
            new Rule(RECORD_COLLECTOR, e -> e.getFormattedMessage().contains(MIGRATED)
                    && thrown(e, FENCED::contains) && SEND_ERROR.matcher(e.getFormattedMessage()).find(),
                    RecoveryLines::fenced),
            new Rule(TASK_MANAGER, RecoveryLines::onlyCorrupted, e -> null),
            new Rule(PARTITION_LEADER_STRATEGY, e -> e.getFormattedMessage().contains(UNKNOWN_TOPIC), e -> null),
            new Rule(REPLICA_MANAGER, e -> thrown(e, OUT_OF_ORDER::equals)
                    && e.getThrowableProxy().getMessage() != null
                    && e.getThrowableProxy().getMessage().contains(FIRST_OVERTAKEN)
                    && APPEND_ERROR.matcher(e.getFormattedMessage()).find(), RecoveryLines::overtaken),
            new Rule(COORDINATOR_RUNTIME, e -> e.getFormattedMessage().contains(LOAD_FAILED)
                    && thrown(e, NOT_LEADER::equals), e -> null),
            new Rule(CONTROLLER_APIS, e -> e.getFormattedMessage().contains("CONTROLLER_REGISTRATION")
                    && causedBy(e.getThrowableProxy(), NOT_CONTROLLER, null), e -> null),
            new Rule(REGISTRATION_MANAGER, e -> e.getFormattedMessage()
                    .contains("controller returned error NOT_CONTROLLER"), e -> null),
            new Rule(MEMBERSHIP_MANAGER, e -> e.getFormattedMessage().contains("Reconciliation failed")
                    && causedBy(e.getThrowableProxy(), TIMEOUT, CLOSED_FIRST), e -> null));

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
        if (event.getLevel() != Level.ERROR || event.getFormattedMessage() == null) {
            return event;
        }
        for (Rule rule : RULES) {
            if (rule.logger().equals(event.getLoggerName()) && rule.matches().test(event)) {
                return rule.said().apply(event);
            }
        }
        return event;
    }

    private static ILoggingEvent fenced(ILoggingEvent event) {
        Matcher send = SEND_ERROR.matcher(event.getFormattedMessage());
        send.find();
        return warning(event, send.group(1) + "Task " + send.group(3) + "'s producer was fenced while sending to "
                + send.group(2) + " (" + simpleName(event.getThrowableProxy()) + ", as after a broker loss or a "
                + "rebalance); Kafka Streams closes the task, aborting its open transaction, and resumes it from its "
                + "last commit with a new producer: nothing is lost or counted twice");
    }

    private static ILoggingEvent overtaken(ILoggingEvent event) {
        Matcher append = APPEND_ERROR.matcher(event.getFormattedMessage());
        append.find();
        return warning(event, append.group(1) + "Refused a transactional producer's batch for " + append.group(2)
                + " that overtook the first batch of its transaction (a race of transactions v2); the producer sends "
                + "both again in order and the transaction commits: nothing is lost, repeated or aborted");
    }

    /** Whether the line names task exceptions and every one of them is a {@code TaskCorruptedException}. */
    private static boolean onlyCorrupted(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        int at = message.indexOf(TASK_EXCEPTIONS);
        if (at < 0) {
            return false;
        }
        String exceptions = message.substring(at + TASK_EXCEPTIONS.length() - 1);
        int tasks = 0;
        Matcher task = TASK.matcher(exceptions);
        while (task.find()) {
            tasks++;
        }
        int corrupted = 0;
        for (int i = exceptions.indexOf(CORRUPTED); i >= 0; i = exceptions.indexOf(CORRUPTED, i + 1)) {
            corrupted++;
        }
        return tasks > 0 && corrupted == tasks;
    }

    /** Whether the line's own exception (not a cause) is of a class {@code named} accepts. */
    private static boolean thrown(ILoggingEvent event, Predicate<String> named) {
        return event.getThrowableProxy() != null && named.test(event.getThrowableProxy().getClassName());
    }

    /**
     * Whether {@code thrown} or one of its causes is of class {@code className}, with {@code words} in its message
     * (null: any message). A bounded walk: causes may loop.
     */
    private static boolean causedBy(IThrowableProxy thrown, String className, String words) {
        for (int depth = 0; thrown != null && depth < 8; depth++, thrown = thrown.getCause()) {
            if (className.equals(thrown.getClassName())
                    && (words == null || (thrown.getMessage() != null && thrown.getMessage().contains(words)))) {
                return true;
            }
        }
        return false;
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

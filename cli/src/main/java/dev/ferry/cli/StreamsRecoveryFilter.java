package dev.ferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps one ERROR line of Kafka Streams out of the command's log: the line that announces Streams' own recovery
 * of a task, not a failure (README, "Known limits": metering's {@code TaskCorruptedException} at start).
 *
 * <p>Why it is a recovery: under {@code exactly_once_v2}, Kafka Streams 4.3 keeps a store's committed changelog
 * offset in the store itself (KIP-1035), and a window store keeps it in its segments. A metering task whose window
 * stores were never written (no window of its partition has closed yet, or it never had a result) has no segment
 * and so no offset, while its key-value stores' directories exist. Streams' start-up check takes "a store without
 * an offset in a task directory that is not empty" for possibly uncommitted data, and TaskManager logs
 * {@code Get exceptions for the following tasks: {1_1=...TaskCorruptedException...}} at ERROR; the stream thread
 * then wipes that task's local state and restores it from its changelogs, as designed, before it runs. Nothing is
 * lost or billed twice (MeteringCrashIT); the cost is restoring what the task held, which is little when its
 * windows were never written.
 *
 * <p>Only that line, and only when every task exception in it is a {@code TaskCorruptedException}, is dropped; a
 * line naming any other exception, and every other line, pass. Kafka's WARN lines about the same recovery
 * ({@code ProcessorStateManager}: "did not find checkpoint offsets while stores are not empty") are below the
 * command's Kafka log level anyway.
 */
public final class StreamsRecoveryFilter extends Filter<ILoggingEvent> {

    static final String TASK_MANAGER = "org.apache.kafka.streams.processor.internals.TaskManager";
    private static final String EXCEPTIONS = "Get exceptions for the following tasks: {";
    /** The start of each entry of the task-to-exception map: {@code {1_1=} or {@code , 0_2=}. */
    private static final Pattern TASK = Pattern.compile("(?:\\{|, )\\d+_\\d+=");
    private static final String CORRUPTED = "=org.apache.kafka.streams.errors.TaskCorruptedException: ";

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (event.getLevel() != Level.ERROR || !TASK_MANAGER.equals(event.getLoggerName())) {
            return FilterReply.NEUTRAL;
        }
        String message = event.getFormattedMessage();
        int at = message == null ? -1 : message.indexOf(EXCEPTIONS);
        if (at < 0) {
            return FilterReply.NEUTRAL;
        }
        String exceptions = message.substring(at + EXCEPTIONS.length() - 1);
        int tasks = 0;
        Matcher task = TASK.matcher(exceptions);
        while (task.find()) {
            tasks++;
        }
        int corrupted = 0;
        for (int i = exceptions.indexOf(CORRUPTED); i >= 0; i = exceptions.indexOf(CORRUPTED, i + 1)) {
            corrupted++;
        }
        return tasks > 0 && corrupted == tasks ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}

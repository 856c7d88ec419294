package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

/** The one Kafka Streams ERROR line that announces a recovery is dropped, and nothing else. */
class StreamsRecoveryFilterTest {

    private static final String CORRUPTED = "org.apache.kafka.streams.errors.TaskCorruptedException: Tasks [%s] are "
            + "corrupted and hence need to be re-initialized";

    private static FilterReply decide(String logger, Level level, String message) {
        LoggingEvent event = new LoggingEvent(StreamsRecoveryFilterTest.class.getName(),
                new LoggerContext().getLogger(logger), level, message, null, null);
        return new StreamsRecoveryFilter().decide(event);
    }

    private static String exceptions(String map) {
        return "stream-thread [t-metering-1-StreamThread-1] Get exceptions for the following tasks: {" + map + "}";
    }

    @Test
    void shouldDropTheLineWhenEveryTaskInItIsOnlyCorrupted() {
        assertThat(decide(StreamsRecoveryFilter.TASK_MANAGER, Level.ERROR,
                exceptions("1_1=" + CORRUPTED.formatted("1_1")))).isEqualTo(FilterReply.DENY);
        assertThat(decide(StreamsRecoveryFilter.TASK_MANAGER, Level.ERROR,
                exceptions("1_1=" + CORRUPTED.formatted("1_1, 1_3") + ", 1_3=" + CORRUPTED.formatted("1_1, 1_3"))))
                .isEqualTo(FilterReply.DENY);
    }

    @Test
    void shouldKeepTheLineWhenAnyTaskFailedOtherwise() {
        assertThat(decide(StreamsRecoveryFilter.TASK_MANAGER, Level.ERROR, exceptions("1_1="
                + CORRUPTED.formatted("1_1") + ", 1_2=org.apache.kafka.streams.errors.StreamsException: boom")))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide(StreamsRecoveryFilter.TASK_MANAGER, Level.ERROR,
                exceptions("0_0=org.apache.kafka.common.KafkaException: fenced"))).isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void shouldKeepEveryOtherLine() {
        String line = exceptions("1_1=" + CORRUPTED.formatted("1_1"));
        assertThat(decide("org.apache.kafka.streams.processor.internals.StreamThread", Level.ERROR, line))
                .isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide(StreamsRecoveryFilter.TASK_MANAGER, Level.WARN, line)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(decide(StreamsRecoveryFilter.TASK_MANAGER, Level.ERROR, "something else failed"))
                .isEqualTo(FilterReply.NEUTRAL);
    }
}

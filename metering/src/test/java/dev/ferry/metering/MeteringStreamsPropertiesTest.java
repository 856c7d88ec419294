package dev.ferry.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The waits metering's Kafka Streams runs with: {@code poll.ms} and the restore consumer's {@code fetch.max.wait.ms}
 * (issue 16: how long a restart waits on polls and fetches that find nothing).
 */
class MeteringStreamsPropertiesTest {

    /** The dev defaults with {@code kafkaProperties} as the operator's Kafka client file ({@code kafka.config.file}). */
    private static FerryConfig withKafkaFile(Path dir, String kafkaProperties) throws Exception {
        Path file = Files.writeString(dir.resolve("kafka.properties"), kafkaProperties);
        return FerryConfig.defaults().with(Map.of(FerryConfig.KAFKA_CONFIG_FILE, file.toString()));
    }

    private static long pollMs(FerryConfig config) {
        Properties props = MeteringTopology.streamsProperties(config, StreamsConfig.EXACTLY_ONCE_V2);
        return Long.parseLong(props.get(StreamsConfig.POLL_MS_CONFIG).toString());
    }

    @Test
    void shouldPollAtMostAQuarterSecondWithTheDevWindows() {
        FerryConfig dev = FerryConfig.defaults().with(Map.of(MeteringConfig.WINDOW_MS, 10_000L));

        assertThat(pollMs(dev)).isEqualTo(MeteringTopology.MAX_POLL_MS).isEqualTo(250L);
    }

    @Test
    void shouldPollNoLongerThanTheWallClockThatClosesShortWindows() {
        FerryConfig shortWindows = FerryConfig.defaults().with(Map.of(MeteringConfig.WINDOW_MS, 400L));

        assertThat(pollMs(shortWindows)).isEqualTo(100L);
    }

    @Test
    void shouldKeepAnOperatorsOwnPollMs(@TempDir Path dir) throws Exception {
        FerryConfig config = withKafkaFile(dir, "poll.ms=2000\n");

        assertThat(pollMs(config)).isEqualTo(2000L);
    }

    private static final String RESTORE_FETCH_WAIT =
            StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);

    @Test
    void shouldLetTheRestoreConsumerGiveUpOnAnEmptyFetchSooner() {
        Properties props = MeteringTopology.streamsProperties(FerryConfig.defaults(), StreamsConfig.EXACTLY_ONCE_V2);

        assertThat(props.get(RESTORE_FETCH_WAIT)).isEqualTo(50);
    }

    @Test
    void shouldKeepKafkasFetchWaitForAnOperatorRunningStandbyReplicas(@TempDir Path dir) throws Exception {
        FerryConfig config = withKafkaFile(dir, "num.standby.replicas=1\n");

        Properties props = MeteringTopology.streamsProperties(config, StreamsConfig.EXACTLY_ONCE_V2);

        assertThat(props).doesNotContainKey(RESTORE_FETCH_WAIT);
    }

    @Test
    void shouldKeepAnOperatorsFetchWaitForEveryConsumerOfTheApplication(@TempDir Path dir) throws Exception {
        FerryConfig config = withKafkaFile(dir, "consumer.fetch.max.wait.ms=200\n");

        Properties props = MeteringTopology.streamsProperties(config, StreamsConfig.EXACTLY_ONCE_V2);

        assertThat(props).doesNotContainKey(RESTORE_FETCH_WAIT);
    }
}

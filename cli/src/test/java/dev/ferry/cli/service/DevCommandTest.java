package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import kafka.server.KafkaConfig;
import scala.jdk.javaapi.CollectionConverters;
import org.junit.jupiter.api.Test;

class DevCommandTest {

    @Test
    void shouldHintNoOptionsWhenDevRunsWithItsDefaults() {
        assertThat(DevCommand.clientOptions(8080, Path.of(".ferry-data"))).isEmpty();
    }

    @Test
    void shouldHintTheUrlAndDataDirectoryAClientNeedsWhenDevRunsElsewhere() {
        assertThat(DevCommand.clientOptions(18080, Path.of("/tmp/ferry-b")))
                .isEqualTo(" --url http://localhost:18080 --data-dir /tmp/ferry-b");
    }

    /**
     * The broker only warns about a key it does not know, so a misspelt one changes nothing: dev's high-watermark
     * checkpoint interval was once set as {@code replica.high-watermark...} and the broker kept checkpointing every
     * 5 s (issue 16).
     */
    @Test
    void shouldSetOnlyKeysTheDevBrokerKnows() {
        assertThat(CollectionConverters.asJava(KafkaConfig.configNames()))
                .contains(DevEnvironment.INDEX_SIZE_KEY, DevEnvironment.HW_CHECKPOINT_KEY,
                        DevEnvironment.NO_OP_INTERVAL_KEY, DevEnvironment.SNAPSHOT_INTERVAL_KEY)
                .containsAll(DevEnvironment.HEARTBEAT_KEYS);
    }
}

package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
}

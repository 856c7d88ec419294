package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaOptionsTest {

    @Test
    void shouldRefuseAPersistentClusterWhenMoreThanOneBrokerIsAsked() {
        EmbeddedKafka.Options options = EmbeddedKafka.Options.defaults().brokers(3).dataDir(Path.of("unused"));

        assertThatThrownBy(() -> EmbeddedKafka.start(options)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("brokers(3)");
    }

    @Test
    void shouldRefuseAFixedPortWhenMoreThanOneBrokerIsAsked() {
        EmbeddedKafka.Options options = EmbeddedKafka.Options.defaults().brokers(3).port(9092);

        assertThatThrownBy(() -> EmbeddedKafka.start(options)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseImpossibleValuesWhenOptionsAreSet() {
        EmbeddedKafka.Options options = EmbeddedKafka.Options.defaults();

        assertThatThrownBy(() -> options.brokers(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> options.port(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> options.port(65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> options.brokerProperty("k", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void shouldLeaveTheOriginalUnchangedWhenACopyIsModified() {
        EmbeddedKafka.Options base = EmbeddedKafka.Options.defaults();

        EmbeddedKafka.Options changed = base.brokers(3).brokerProperty("num.io.threads", "2");

        assertThat(base.toString()).contains("brokers=1").doesNotContain("num.io.threads");
        assertThat(changed.toString()).contains("brokers=3").contains("num.io.threads=2");
    }
}

package dev.ferry.worker.internal.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.junit.jupiter.api.Test;

class DestinationCodecTest {

    private static ConfigEntry entry(String name, String value, ConfigSource source) {
        return new ConfigEntry(name, value, source, false, false, List.of(), ConfigEntry.ConfigType.STRING, null);
    }

    private static Config topic(String codec, ConfigEntry... more) {
        List<ConfigEntry> entries = new java.util.ArrayList<>(List.of(more));
        entries.add(entry("compression.type", codec, ConfigSource.DYNAMIC_TOPIC_CONFIG));
        return new Config(entries);
    }

    @Test
    void shouldWriteTheTopicsOwnCodecWhenTheDestinationNamesOne() {
        assertThat(DestinationCodec.of(topic("lz4"), "gzip").producerSettings())
                .isEqualTo(Map.of("compression.type", "lz4"));
        assertThat(DestinationCodec.of(topic("zstd"), "gzip").codec()).isEqualTo("zstd");
    }

    @Test
    void shouldWriteNoneWhenTheDestinationIsUncompressed() {
        assertThat(DestinationCodec.of(topic("uncompressed"), "gzip").producerSettings())
                .isEqualTo(Map.of("compression.type", "none"));
    }

    @Test
    void shouldFallBackToTheUserCodecWhenTheTopicLeavesItToProducers() {
        assertThat(DestinationCodec.of(topic("producer"), "gzip").producerSettings())
                .isEqualTo(Map.of("compression.type", "gzip", "compression.gzip.level", 1));
        assertThat(DestinationCodec.of(null, "gzip").codec()).isEqualTo("gzip");
        assertThat(DestinationCodec.of(new Config(List.of()), "none").codec()).isEqualTo("none");
    }

    @Test
    void shouldKeepALevelTheTopicSetsAndFerrysGzipLevelOtherwise() {
        Config own = topic("gzip", entry("compression.gzip.level", "9", ConfigSource.DYNAMIC_TOPIC_CONFIG));
        Config defaulted = topic("gzip", entry("compression.gzip.level", "-1", ConfigSource.DEFAULT_CONFIG));

        assertThat(DestinationCodec.of(own, "none").producerSettings())
                .isEqualTo(Map.of("compression.type", "gzip", "compression.gzip.level", 9));
        assertThat(DestinationCodec.of(defaulted, "none").producerSettings())
                .isEqualTo(Map.of("compression.type", "gzip", "compression.gzip.level", 1));
    }
}

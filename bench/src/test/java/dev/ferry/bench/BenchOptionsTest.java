package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void shouldReadEveryFlagWhenGivenAsTheCommandLineDoes() {
        BenchOptions options = BenchOptions.parse("--quick", "--bootstrap-servers", "broker:9092",
                "--schema-registry=http://registry:8081", "--only", "serde-throughput,sync-latency-p99",
                "--results", "out/RESULTS.md");

        assertThat(options.quick()).isTrue();
        assertThat(options.bootstrapServers()).isEqualTo("broker:9092");
        assertThat(options.schemaRegistryUrl()).isEqualTo("http://registry:8081");
        assertThat(options.runs("sync-latency-p99")).isTrue();
        assertThat(options.runs("pipeline-throughput")).isFalse();
        assertThat(options.resultsFile()).isEqualTo(Path.of("out/RESULTS.md"));
    }

    @Test
    void shouldRunEveryScenarioOnTheEmbeddedBrokerWhenGivenNothing() {
        BenchOptions options = BenchOptions.parse();

        assertThat(options.quick()).isFalse();
        assertThat(options.bootstrapServers()).isNull();
        assertThat(BenchOptions.SCENARIOS).allMatch(options::runs);
    }

    @Test
    void shouldRefuseWhenAScenarioIsUnknown() {
        assertThatThrownBy(() -> BenchOptions.parse("--only", "pipeline"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pipeline-throughput");
    }

    @Test
    void shouldRefuseWhenOnlyTheBrokerOrOnlyTheRegistryIsGiven() {
        assertThatThrownBy(() -> BenchOptions.parse("--bootstrap-servers", "broker:9092"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--schema-registry");
    }
}

package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs the cheapest scenario end to end, on the embedded broker Bench starts itself, and checks what scripts read. */
@Tag("integration")
class BenchIT {

    private static final Pattern RATIO_LINE = Pattern.compile("^serde-throughput: .* ratio=\\d+\\.\\d+$");
    private static final Pattern TABLE_ROW = Pattern.compile(
            "^\\| serde-throughput \\| [0-9.]+ records/s \\| [0-9.]+ records/s \\| \\d+\\.\\d+( \\(noisy\\))? \\| .+ \\|$");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldPrintARatioLineAndATableRowWhenAQuickScenarioRuns() throws Exception {
        StringWriter text = new StringWriter();
        Path results = dir.resolve("RESULTS.md");

        int status = Bench.run(new BenchOptions(true, null, null, Set.of("serde-throughput"), results),
                new PrintWriter(text));

        List<String> lines = text.toString().lines().toList();
        assertThat(status).as(text.toString()).isZero();
        assertThat(lines).as(text.toString()).anyMatch(l -> RATIO_LINE.matcher(l).matches());
        assertThat(lines).as(text.toString()).anyMatch(l -> TABLE_ROW.matcher(l).matches());
        assertThat(lines).noneMatch(l -> l.startsWith("pipeline-throughput"));
        assertThat(Files.readString(results)).contains("| serde-throughput |").contains("load average");
    }
}

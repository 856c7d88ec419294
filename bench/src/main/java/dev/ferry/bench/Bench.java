package dev.ferry.bench;

import dev.ferry.bench.internal.BenchCluster;
import dev.ferry.bench.internal.Machine;
import dev.ferry.bench.internal.Outcome;
import dev.ferry.bench.internal.Report;
import dev.ferry.bench.internal.Scenario;
import dev.ferry.bench.internal.Scenarios;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the benchmarks: each scenario measures Ferry and its raw-Kafka baseline on the same broker in the same run,
 * prints one line ending in {@code ratio=<ferry/baseline>}, and the run ends with a markdown table of all of them.
 *
 * <pre>{@code
 * int status = Bench.run(BenchOptions.parse("--quick", "--only", "pipeline-throughput"), new PrintWriter(System.out));
 * }</pre>
 */
public final class Bench {

    private Bench() {
    }

    /**
     * Runs the scenarios {@code options} selects, on the embedded broker and registry unless it names a cluster.
     *
     * @return 0 when every scenario completed (whether or not it met its goal), 1 when one failed to run
     */
    public static int run(BenchOptions options, PrintWriter out) {
        Machine machine = Machine.current();
        double loadBefore = Machine.loadAverage();
        List<Outcome> outcomes = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        out.println("Ferry bench" + (options.quick() ? " (--quick)" : "") + " on " + machine.describe()
                + ", load average " + String.format(java.util.Locale.ROOT, "%.2f", loadBefore));
        out.flush();
        try (BenchCluster cluster = options.bootstrapServers() == null ? BenchCluster.embedded()
                : BenchCluster.existing(options.bootstrapServers(), options.schemaRegistryUrl())) {
            for (Scenario scenario : Scenarios.all()) {
                if (!options.runs(scenario.name())) {
                    continue;
                }
                long started = System.nanoTime();
                try {
                    for (Outcome outcome : scenario.outcomes(cluster, options.quick())) {
                        outcomes.add(outcome);
                        out.println(outcome.line());
                    }
                } catch (Exception e) {
                    log().error("Scenario {} failed", scenario.name(), e);
                    failures.add(scenario.name() + ": " + e);
                    out.println(scenario.name() + ": failed: " + e);
                }
                log().info("Scenario {} took {} s", scenario.name(), (System.nanoTime() - started) / 1_000_000_000);
                out.flush();
            }
        } catch (RuntimeException e) {
            log().error("Cannot start the benchmark cluster", e);
            out.println("Cannot start the benchmark cluster: " + e);
            out.flush();
            return 1;
        }
        String table = Report.markdown(outcomes, failures, machine, options.quick(), loadBefore,
                Machine.loadAverage(), Instant.now());
        out.println();
        out.print(table);
        out.flush();
        if (options.resultsFile() != null) {
            try {
                Path file = options.resultsFile().toAbsolutePath();
                Files.createDirectories(file.getParent());
                Files.writeString(file, table, StandardCharsets.UTF_8);
            } catch (IOException e) {
                out.println("Cannot write " + options.resultsFile() + ": " + e);
                out.flush();
                return 1;
            }
        }
        return failures.isEmpty() ? 0 : 1;
    }

    /** Looked up when first used, so {@link #main} can choose the logging configuration before. */
    private static Logger log() {
        return LoggerFactory.getLogger(Bench.class);
    }

    /** {@code java dev.ferry.bench.Bench [--quick] [--bootstrap-servers ..] [--schema-registry ..] [--only a,b]}. */
    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "ferry-bench-logback.xml");
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        System.exit(run(options, out));
    }
}

package dev.ferry.cli;

import dev.ferry.bench.Bench;
import dev.ferry.bench.BenchOptions;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry bench}: every benchmark beside its raw-Kafka baseline, as lines ending in {@code ratio=} and a table. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run the benchmarks, each beside its raw-Kafka baseline on the same broker, and print ratios.")
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--quick",
            description = "Shorter runs: the whole set in about 12 minutes on 2 cores (the full set in about an hour).")
    boolean quick;

    @Option(names = "--bootstrap-servers", description = "Run against this cluster instead of an embedded broker.")
    String bootstrapServers;

    @Option(names = "--schema-registry", description = "The registry of that cluster.")
    String schemaRegistry;

    @Option(names = "--only", split = ",", description = "Only these scenarios: ${COMPLETION-CANDIDATES}.",
            completionCandidates = Scenarios.class)
    List<String> only = List.of();

    @Option(names = "--results", description = "Also write the markdown table to this file.")
    Path results;

    @Override
    public Integer call() {
        BenchOptions options;
        try {
            options = new BenchOptions(quick, bootstrapServers, schemaRegistry, new LinkedHashSet<>(only), results);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), 2);
        }
        return Bench.run(options, spec.commandLine().getOut());
    }

    static final class Scenarios implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return BenchOptions.SCENARIOS.iterator();
        }
    }
}

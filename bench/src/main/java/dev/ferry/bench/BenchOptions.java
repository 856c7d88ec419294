package dev.ferry.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a benchmark run measures and where.
 *
 * @param quick short runs (about 7.5 minutes in all on a 2-core machine, 3 of them `idle-cpu`) instead of the full ones
 * @param bootstrapServers an existing cluster; null starts an embedded broker
 * @param schemaRegistryUrl the registry of that cluster; null starts an embedded registry
 * @param only the scenarios to run; empty runs every one ({@link #SCENARIOS})
 * @param resultsFile where the markdown table is written; null writes none
 */
public record BenchOptions(boolean quick, String bootstrapServers, String schemaRegistryUrl, Set<String> only,
        Path resultsFile) {

    /** Every scenario, in the order they run. */
    public static final List<String> SCENARIOS = List.of("serde-throughput", "pipeline-throughput",
            "sync-latency-p99", "metering-eos-throughput", "autoscale-lag-seconds", "trigger-throughput",
            "idle-cpu", "first-call-after-deploy", "cold-start");

    public BenchOptions {
        only = Set.copyOf(only == null ? Set.of() : only);
        for (String name : only) {
            if (!SCENARIOS.contains(name)) {
                throw new IllegalArgumentException("Unknown scenario '" + name + "': use one of " + SCENARIOS);
            }
        }
        if ((bootstrapServers == null) != (schemaRegistryUrl == null)) {
            throw new IllegalArgumentException("Give both --bootstrap-servers and --schema-registry, or neither "
                    + "(then an embedded broker and registry are started)");
        }
    }

    /** The full run on an embedded broker, writing nothing. */
    public static BenchOptions defaults() {
        return new BenchOptions(false, null, null, Set.of(), null);
    }

    public BenchOptions withQuick(boolean value) {
        return new BenchOptions(value, bootstrapServers, schemaRegistryUrl, only, resultsFile);
    }

    public BenchOptions withCluster(String bootstrap, String registry) {
        return new BenchOptions(quick, bootstrap, registry, only, resultsFile);
    }

    public BenchOptions withOnly(Set<String> scenarios) {
        return new BenchOptions(quick, bootstrapServers, schemaRegistryUrl, scenarios, resultsFile);
    }

    public BenchOptions withResultsFile(Path file) {
        return new BenchOptions(quick, bootstrapServers, schemaRegistryUrl, only, file);
    }

    /** Whether {@code scenario} is part of this run. */
    public boolean runs(String scenario) {
        return only.isEmpty() || only.contains(scenario);
    }

    /**
     * Parses {@code [--quick] [--bootstrap-servers HOST:PORT] [--schema-registry URL] [--only a,b]
     * [--results FILE]}.
     *
     * @throws IllegalArgumentException on an unknown flag or a missing value
     */
    public static BenchOptions parse(String... args) {
        BenchOptions options = defaults();
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        String bootstrap = null;
        String registry = null;
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            String value = null;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            switch (flag) {
                case "--quick" -> options = options.withQuick(true);
                case "--bootstrap-servers" -> bootstrap = value != null ? value : next(rest, flag);
                case "--schema-registry" -> registry = value != null ? value : next(rest, flag);
                case "--only" -> options = options.withOnly(new LinkedHashSet<>(Arrays.asList(
                        (value != null ? value : next(rest, flag)).split(","))));
                case "--results" -> options = options.withResultsFile(Path.of(value != null ? value : next(rest,
                        flag)));
                default -> throw new IllegalArgumentException("Unknown option '" + flag + "'; known: --quick, "
                        + "--bootstrap-servers, --schema-registry, --only, --results");
            }
        }
        return options.withCluster(bootstrap, registry);
    }

    private static String next(List<String> rest, String flag) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return rest.remove(0);
    }
}

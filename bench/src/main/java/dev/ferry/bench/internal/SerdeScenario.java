package dev.ferry.bench.internal;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Collection;
import dev.ferry.core.config.FerryConfig;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code serde-throughput}: JMH, one forked JVM per benchmark (on this JVM's class path), one thread, warm-up
 * iterations first; each measured iteration is one repetition.
 */
public final class SerdeScenario implements Scenario {

    @Override
    public String name() {
        return "serde-throughput";
    }

    @Override
    public Outcome run(BenchCluster cluster, boolean quick) throws RunnerException {
        FerryConfig config = cluster.config("serde", Map.of());
        String[] jvmArgs = {"-D" + SerdeBenchmark.REGISTRY_PROPERTY + "=" + cluster.registryUrl(),
            "-D" + SerdeBenchmark.PREFIX_PROPERTY + "=" + config.topicPrefix(), "-Xmx256m"};
        Samples ferry = measure("ferryWireFormat", quick, jvmArgs);
        Samples avro = measure("plainAvro", quick, jvmArgs);
        return Outcome.of(name(), "records/s", ferry, avro, true, 0.8,
                "round trips of one InvocationRequest, Ferry wire format vs plain Avro binary, JMH, one fork each");
    }

    private static Samples measure(String method, boolean quick, String[] jvmArgs) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(SerdeBenchmark.class.getName() + "." + method + "$")
                .forks(1)
                .jvmArgsAppend(jvmArgs)
                .threads(1)
                .warmupIterations(2)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 3 : 5)
                .measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .shouldFailOnError(true)
                .build();
        PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
        Collection<RunResult> results = new Runner(options,
                OutputFormatFactory.createFormatInstance(silent, VerboseMode.SILENT)).run();
        Samples samples = new Samples();
        for (RunResult run : results) {
            for (BenchmarkResult benchmark : run.getBenchmarkResults()) {
                for (IterationResult iteration : benchmark.getIterationResults()) {
                    samples.add(iteration.getPrimaryResult().getScore());
                }
            }
        }
        if (samples.count() == 0) {
            throw new IllegalStateException("JMH ran no iteration of SerdeBenchmark." + method
                    + ": is META-INF/BenchmarkList on the class path?");
        }
        return samples;
    }
}

package dev.ferry.bench.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code idle-cpu} (issue 16): the CPU an idle {@code ferry dev} burns against an idle embedded broker alone.
 *
 * <p>The baseline is {@link IdleBroker} in a child JVM: the embedded broker (a data directory, as dev keeps) and the
 * schema registry, doing nothing. Ferry is {@code ferry dev} itself ({@code dev.ferry.cli.Ferry dev}, so the CLI
 * must be on the classpath: run it through {@code ferry bench}) in a child JVM with its own embedded broker and
 * registry, first with its built-ins only, then with N more functions deployed through the gateway ({@code echo},
 * platform defaults). Each measurement waits a settle period after the child is ready (or the last deployment is
 * visible) and then reads the child's CPU time (user + system, all threads) every sub-window of a measurement
 * window; each sub-window is one repetition, in CPU seconds per minute, with the part of it the JIT's compiler
 * threads spent beside it ({@link ChildThreadTicks}): after a burst of deploys that part, not the idle loops, can
 * decide the window. Resident memory and live threads are read at the end of the window. The ratio is Ferry at the largest N over the broker alone. Neither side uses the
 * benchmark's own cluster; both children get the same JVM options (none: the JVM's defaults, as {@code ferry}).
 */
public final class IdleCpuScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(IdleCpuScenario.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    /** How long the full run waits, after measuring the largest N, to measure it again. */
    private static final Duration LATER = Duration.ofMinutes(10);
    /**
     * Deployments in flight at once: each waits for the deployment to be visible (and, once work topics are made at
     * deploy, for its topic), so 1,000 of them one or four at a time took longer than the run could wait.
     */
    private static final int DEPLOY_THREADS = 16;

    @Override
    public String name() {
        return "idle-cpu";
    }

    @Override
    public Outcome run(BenchCluster cluster, boolean quick) throws Exception {
        List<Integer> functionCounts = quick ? List.of(0, 100) : List.of(0, 100, 1000);
        // The first 10 s after 100 deployments measured 40 CPU s/min against 25 in the next ones: deployments settle
        // slower than a start.
        Duration settle = Duration.ofSeconds(quick ? 30 : 60);
        Duration window = Duration.ofSeconds(quick ? 30 : 60);
        Duration subWindow = Duration.ofSeconds(10);

        Path dir = Files.createTempDirectory("ferry-bench-idle");
        try {
            Measurement broker;
            try (ChildJvm child = ChildJvm.start("idle-broker", ChildJvm.ferryJavaOptions(), IdleBroker.class.getName(),
                    List.of(dir.resolve("broker").toString(), Integer.toString(DevChild.freePort()),
                            Integer.toString(DevChild.freePort())), IdleBroker.READY)) {
                child.awaitReady(START_TIMEOUT);
                broker = measure(child, settle, window, subWindow);
            }
            log.info("idle-cpu: broker alone {}", broker);
            List<Measurement> ferry = new ArrayList<>();
            Measurement later = null;
            String partitions;
            try (DevChild dev = DevChild.start(name(), List.of())) {
                int deployed = 0;
                for (int n : functionCounts) {
                    long began = System.nanoTime();
                    dev.gateway().deployMany("idle", deployed, n, DEPLOY_THREADS);
                    log.info("idle-cpu: deployed {} functions in {} s", n - deployed,
                            (System.nanoTime() - began) / 1_000_000_000);
                    deployed = n;
                    Measurement m = measure(dev.jvm(), settle, window, subWindow);
                    log.info("idle-cpu: ferry dev with {} functions {}", n, m);
                    ferry.add(m);
                }
                if (!quick) {
                    // The JIT compiles broker and client code that idle loops reach slowly for about ten minutes
                    // after the deploys (session 12: its threads at 1-2 CPU s/min, then under 0.3): measured again
                    // once that has faded, beside the figure above, which stays the scenario's.
                    log.info("idle-cpu: measuring ferry dev again in {} minutes", LATER.toMinutes());
                    later = measure(dev.jvm(), LATER, window, subWindow);
                    log.info("idle-cpu: ferry dev with {} functions, {} minutes later {}", deployed,
                            LATER.toMinutes(), later);
                }
                partitions = partitions(dev.kafkaPort());
            }
            Measurement last = ferry.get(ferry.size() - 1);
            int largest = functionCounts.get(functionCounts.size() - 1);
            StringBuilder details = new StringBuilder("CPU s/min, RSS, threads: broker+registry alone ")
                    .append(broker.describe());
            for (int i = 0; i < ferry.size(); i++) {
                details.append("; ferry dev +").append(functionCounts.get(i)).append(" functions ")
                        .append(ferry.get(i).describe()).append(" (ratio ")
                        .append(Format.ratio(ferry.get(i).cpu().median() / broker.cpu().median())).append(')');
            }
            if (later != null) {
                details.append("; the same ferry dev ").append(LATER.toMinutes()).append(" minutes later (the JIT's ")
                        .append("compilations after the deploys faded) ").append(later.describe()).append(" (ratio ")
                        .append(Format.ratio(later.cpu().median() / broker.cpu().median())).append(')');
            }
            // Honest about what the broker alone does not carry: every deployed function is topics and partitions on
            // Ferry's broker (its work topic at least), which is part of Ferry's cost and is measured in its CPU.
            details.append("; the dev broker holds ").append(partitions);
            details.append("; ratio at ").append(largest).append(" functions; settle ").append(settle.toSeconds())
                    .append(" s, window ").append(window.toSeconds()).append(" s in ")
                    .append(subWindow.toSeconds()).append(" s repetitions, child JVMs ")
                    .append(ChildJvm.ferryJavaOptions().isEmpty() ? "at defaults"
                            : "with FERRY_JAVA_OPTS " + String.join(" ", ChildJvm.ferryJavaOptions()));
            return Outcome.of(name(), "CPU s/min", last.cpu(), broker.cpu(), false, 2.0, details.toString());
        } finally {
            DevChild.deleteTree(dir);
        }
    }

    /**
     * One side's figures: CPU seconds per minute of each sub-window, the JIT compiler threads' part of each, then
     * memory and threads at the end.
     */
    record Measurement(Samples cpu, Samples jit, double rssMib, double threads) {
        String describe() {
            return Format.number(cpu.median()) + " CPU s/min (" + Format.number(cpu.median() / 60 * 100)
                    + " % of a core; the JIT's compiler threads " + Format.number(jit.median()) + " of it, "
                    + jit + "), " + Format.number(rssMib) + " MiB, " + Format.number(threads) + " threads";
        }
    }

    private static Measurement measure(ChildJvm child, Duration settle, Duration window, Duration subWindow)
            throws InterruptedException {
        Thread.sleep(settle.toMillis());
        Samples cpu = new Samples();
        Samples jit = new Samples();
        long windows = window.toMillis() / subWindow.toMillis();
        for (int i = 0; i < windows; i++) {
            double before = child.cpuSeconds();
            ChildThreadTicks ticksBefore = ChildThreadTicks.of(child.pid());
            long began = System.nanoTime();
            Thread.sleep(subWindow.toMillis());
            double seconds = (System.nanoTime() - began) / 1e9;
            double perMinute = (child.cpuSeconds() - before) / seconds * 60;
            cpu.add(perMinute);
            double share = ChildThreadTicks.of(child.pid()).compilerShareSince(ticksBefore);
            jit.add(Double.isNaN(share) ? 0 : perMinute * share);
        }
        return new Measurement(cpu, jit, child.rssMib(), child.threads());
    }

    /** How many topics and partitions the dev broker holds, e.g. {@code "32 topics, 300 partitions"}. */
    private static String partitions(int kafkaPort) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + kafkaPort))) {
            var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS);
            int count = admin.describeTopics(names).allTopicNames().get(60, TimeUnit.SECONDS).values().stream()
                    .mapToInt(topic -> topic.partitions().size()).sum();
            return names.size() + " topics, " + count + " partitions";
        } catch (Exception e) {
            log.warn("idle-cpu: cannot count the dev broker's partitions: {}", e.toString());
            return "an unknown number of partitions";
        }
    }
}

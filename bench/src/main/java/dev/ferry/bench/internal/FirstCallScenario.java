package dev.ferry.bench.internal;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two numbers a serverless user notices first (issue 16, part 2), each against a warm call of the same function
 * in the same run, on {@code ferry dev} itself in a child JVM (its own embedded broker and registry, the CLI on the
 * classpath: run it through {@code ferry bench}):
 *
 * <ul>
 *   <li>{@code first-call-after-deploy}: after N other functions were deployed (100; 50 quick), each repetition
 *       deploys a new {@code echo} over HTTP and, once the deploy answered, calls it synchronously: the time of that
 *       first call. Goal: p50 ≤ 2 s.
 *   <li>{@code cold-start}: one {@code echo} whose pool the autoscaler has taken to zero replicas (the child runs with
 *       {@code autoscaler.idle.ms} and {@code autoscaler.stabilization.ms} of 2 s so it gets there quickly); each
 *       repetition waits until the function shows zero replicas decided and zero members, then calls it. Goal: p50 ≤ 0.5 s.
 * </ul>
 *
 * Ferry's side is that first (or cold) call, the baseline a warm call of the same function right after it; the ratio
 * says how much the first call costs over a warm one, and the p50 in milliseconds is the goal.
 */
public final class FirstCallScenario implements Scenario {

    private static final Logger log = LoggerFactory.getLogger(FirstCallScenario.class);
    /**
     * {@code "replicas": 0} and {@code "desiredReplicas": 0} in a function's description: the autoscaler decided zero
     * and then saw no members (the members alone can read 0 in the sample that woke the pool).
     */
    private static final Pattern NO_MEMBERS = Pattern.compile("\"replicas\"\\s*:\\s*0\\s*[,}]");
    private static final Pattern DECIDED_ZERO = Pattern.compile("\"desiredReplicas\"\\s*:\\s*0\\s*[,}]");
    private static final int DEPLOY_THREADS = 4;

    private final boolean coldStart;

    private FirstCallScenario(boolean coldStart) {
        this.coldStart = coldStart;
    }

    /** {@code first-call-after-deploy}. */
    public static FirstCallScenario afterDeploy() {
        return new FirstCallScenario(false);
    }

    /** {@code cold-start}. */
    public static FirstCallScenario coldStart() {
        return new FirstCallScenario(true);
    }

    @Override
    public String name() {
        return coldStart ? "cold-start" : "first-call-after-deploy";
    }

    private double goalMs() {
        return coldStart ? 500 : 2_000;
    }

    @Override
    public Outcome run(BenchCluster cluster, boolean quick) throws Exception {
        int repetitions = quick ? 3 : 7;
        List<String> settings = coldStart ? List.of("autoscaler.idle.ms=2000", "autoscaler.stabilization.ms=2000")
                : List.of();
        try (DevChild dev = DevChild.start(name(), settings)) {
            DevChild.Gateway gateway = dev.gateway();
            Samples first = new Samples();
            Samples warm = new Samples();
            String extra;
            if (coldStart) {
                extra = coldStarts(gateway, repetitions, first, warm);
            } else {
                extra = firstCalls(gateway, quick ? 50 : 100, repetitions, first, warm);
            }
            double p50 = first.median();
            String details = name() + " p50 " + Format.number(p50) + " ms, warm call p50 "
                    + Format.number(warm.median()) + " ms, ratio " + Format.ratio(p50 / warm.median()) + "; "
                    + extra + "; " + repetitions + " repetitions";
            return Outcome.of(name(), "ms", first, warm, false, Double.POSITIVE_INFINITY, details)
                    .withCondition("p50 ≤ " + Format.number(goalMs()) + " ms", p50 <= goalMs());
        }
    }

    private String firstCalls(DevChild.Gateway gateway, int others, int repetitions, Samples first, Samples warm)
            throws Exception {
        long began = System.nanoTime();
        gateway.deployMany("other", 0, others, DEPLOY_THREADS);
        double deploySeconds = (System.nanoTime() - began) / 1e9;
        Samples deploys = new Samples();
        for (int i = 0; i < repetitions; i++) {
            String name = String.format(Locale.ROOT, "first-%02d", i);
            long t0 = System.nanoTime();
            gateway.deploy(name);
            long t1 = System.nanoTime();
            gateway.invoke(name, "first");
            long t2 = System.nanoTime();
            gateway.invoke(name, "warm");
            long t3 = System.nanoTime();
            deploys.add((t1 - t0) / 1e6);
            first.add((t2 - t1) / 1e6);
            warm.add((t3 - t2) / 1e6);
            log.info("{}: deploy {} ms, first call {} ms, warm call {} ms", name(), (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
        }
        return others + " functions deployed first (in " + Format.number(deploySeconds) + " s, " + DEPLOY_THREADS
                + " at a time); the deploy itself p50 " + Format.number(deploys.median()) + " ms";
    }

    private String coldStarts(DevChild.Gateway gateway, int repetitions, Samples first, Samples warm) throws Exception {
        String name = "cold";
        gateway.deploy(name);
        gateway.invoke(name, "warm-up");
        Samples zeroWaits = new Samples();
        for (int i = 0; i < repetitions; i++) {
            long waitBegan = System.nanoTime();
            awaitZeroReplicas(gateway, name, Duration.ofMinutes(2));
            zeroWaits.add((System.nanoTime() - waitBegan) / 1e9);
            long t1 = System.nanoTime();
            gateway.invoke(name, "cold");
            long t2 = System.nanoTime();
            gateway.invoke(name, "warm");
            long t3 = System.nanoTime();
            first.add((t2 - t1) / 1e6);
            warm.add((t3 - t2) / 1e6);
            log.info("{}: cold call {} ms, warm call {} ms", name(), (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
        }
        return "each call after the pool showed zero replicas (waited p50 " + Format.number(zeroWaits.median())
                + " s for it; autoscaler.idle.ms and stabilization.ms 2 s)";
    }

    private static void awaitZeroReplicas(DevChild.Gateway gateway, String name, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String fn = gateway.send("GET", "/v1/functions/" + name, null).body();
            if (NO_MEMBERS.matcher(fn).find() && DECIDED_ZERO.matcher(fn).find()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not scale to zero within " + timeout.toSeconds()
                        + " s: " + fn);
            }
            Thread.sleep(200);
        }
    }
}

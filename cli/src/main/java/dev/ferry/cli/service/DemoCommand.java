package dev.ferry.cli.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.CliException;
import dev.ferry.cli.Durations;
import dev.ferry.cli.Table;
import dev.ferry.cli.client.GatewayClient;
import dev.ferry.core.DaemonThreads;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry demo}: {@code dev} plus a scripted load that shows routing, scaling and billing live: a steady
 * {@code echo} stream, bursts to {@code sleep} that make its pool scale up and back down, and calls to
 * {@code fail} that retry and end in the DLQ. One live progress line, then a summary, then exit.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run `ferry dev` with a scripted load, show progress live, print a summary and exit.")
public final class DemoCommand implements Callable<Integer> {

    private static final String ECHO = "echo";
    private static final String SLEEP = "sleep";
    private static final String FAIL = "fail";
    private static final Duration READY_WAIT = Duration.ofSeconds(120);

    @Spec
    CommandSpec spec;

    @Mixin
    DevOptions options;

    @Option(names = "--duration", defaultValue = "60s", description = "How long the load runs (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--rate", defaultValue = "20", description = "Steady echo calls per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--burst", defaultValue = "150", description = "Invocations per sleep burst (default: ${DEFAULT-VALUE}).")
    int burst;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long loadMillis = Durations.parseMillis("--duration", duration);
        // Ctrl-C or SIGTERM stops the demo as it stops ferry dev, at any moment: closing what it started, exit 0.
        ConsoleStop stop = new ConsoleStop(out, "demo", ServiceCommand::exitCleanly).install();
        out.println("Starting Ferry demo...");
        out.flush();
        stop.run(check -> DevEnvironment.start(options.settings(), out, check),
                env -> out.printf("%nDashboard: %s/ (sign in with the API key in %s)%n", gateway(env),
                        env.dataDirKeyFile()),
                env -> demo(env, out, loadMillis));
        return 0;
    }

    private static URI gateway(DevEnvironment env) {
        return URI.create("http://localhost:" + env.platform().gatewayPort());
    }

    /** The scripted load and its summary, on a started environment; a stop interrupts it. */
    private void demo(DevEnvironment env, PrintWriter out, long loadMillis) throws InterruptedException {
        URI gateway = gateway(env);
        GatewayClient client = new GatewayClient(gateway, env.apiKey());
        awaitReady(client);
        warmUp(client, out);
        out.printf("Load for %d s: %d echo/s, %d-invocation bursts to sleep, 1 fail/s%n%n", loadMillis / 1000,
                rate, burst);
        out.flush();

        Instant began = Instant.now();
        DemoLoad load = new DemoLoad(gateway, env.apiKey(), 64);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, DaemonThreads.factory("ferry-demo-load"));
        DemoProgress progress = new DemoProgress(client, load, out);
        try {
            timer.scheduleAtFixedRate(() -> load.invoke(ECHO, "{\"hello\":\"ferry\"}"), 0,
                    Math.max(1, 1_000_000 / Math.max(1, rate)), TimeUnit.MICROSECONDS);
            timer.scheduleAtFixedRate(() -> load.invoke(FAIL, "{}"), 500, 1000, TimeUnit.MILLISECONDS);
            for (long at = 3_000; at < loadMillis; at += Math.max(10_000, loadMillis / 3)) {
                timer.schedule(() -> {
                    for (int i = 0; i < burst; i++) {
                        load.submit(SLEEP, "{\"ms\": 200}");
                    }
                }, at, TimeUnit.MILLISECONDS);
            }
            while (Duration.between(began, Instant.now()).toMillis() < loadMillis) {
                progress.tick(began, "load");
                Thread.sleep(1000);
            }
        } finally {
            // Also on a stop: no more calls while the platform closes.
            timer.shutdownNow();
        }
        load.drain(Duration.ofSeconds(90));

        // The backlog drains, the pools shrink, and the last windows close after their grace period.
        long settleUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < settleUntil && progress.backlog() > 0) {
            progress.tick(began, "drain");
            Thread.sleep(1000);
        }
        // Windows close by wall clock once their end plus the grace period has passed.
        long billingUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                options.settings().usageWindowMs() + options.settings().usageGraceMs() + 3_000);
        while (System.nanoTime() < billingUntil) {
            progress.tick(began, "billing");
            Thread.sleep(1000);
        }
        out.println();
        summary(out, load, progress, env, began);
    }

    private void summary(PrintWriter out, DemoLoad load, DemoProgress progress, DevEnvironment env, Instant began) {
        Map<String, Long> scaleEvents = ScalingEvents.count(env.platform().runtime(), DevEnvironment.TENANT, began);
        out.println();
        out.println("Summary (client-side latency over HTTP, through dispatcher, workers and back; the pools were "
                + "woken from zero before the load began, so these figures leave out a first call's wait for them)");
        Table table = new Table("FUNCTION", "CALLS", "OK", "FAILED", "P50_MS", "P99_MS", "SCALE_EVENTS");
        for (Map.Entry<String, DemoLoad.FunctionLoad> e : new TreeMap<>(load.functions).entrySet()) {
            DemoLoad.FunctionLoad f = e.getValue();
            table.row(e.getKey(), f.sent.get(), f.succeeded.get(), f.failed.get(),
                    millis(f.latencyMicros.getValueAtPercentile(50)), millis(f.latencyMicros.getValueAtPercentile(99)),
                    scaleEvents.getOrDefault(e.getKey(), 0L));
        }
        table.print(out);
        out.println("(sleep is submitted asynchronously: its latency is the 202 answer; fail always fails, by design)");
        out.println();

        JsonNode usage = progress.usageSince(began);
        long invocations = 0;
        long mbMillis = 0;
        BigDecimal cost = BigDecimal.ZERO;
        for (JsonNode r : usage.path("records")) {
            invocations += r.path("invocations").asLong();
            mbMillis += r.path("mbMillis").asLong();
            cost = cost.add(new BigDecimal(r.path("cost").asText("0")));
        }
        Table billing = new Table("TENANT", "BILLED_INVOCATIONS", "GB_SECONDS", "COST_USD");
        billing.row(DevEnvironment.TENANT, invocations,
                new BigDecimal(mbMillis).divide(new BigDecimal(1_024_000), 6, RoundingMode.HALF_EVEN).toPlainString(),
                cost.toPlainString());
        billing.print(out);
        out.printf("%nDemo finished in %d s.%n", Duration.between(began, Instant.now()).toSeconds());
        out.flush();
        ClassArchiveNotice.sayIfRecording(out);
    }

    /**
     * Waits for the gateway's {@code /readyz}: every service of this process started and ready (metering's Streams
     * running, the built-ins visible), so the load's first calls are not refused and the usage the progress line
     * shows is metering's answer, not "not ready".
     */
    static void awaitReady(GatewayClient client) throws InterruptedException {
        long until = System.nanoTime() + READY_WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < until) {
            HttpResponse<byte[]> ready = client.send("GET", "/readyz", null, Map.of());
            if (ready.statusCode() == 200) {
                return;
            }
            last = new String(ready.body(), StandardCharsets.UTF_8);
            Thread.sleep(200);
        }
        throw new CliException("the platform was not ready after " + READY_WAIT.toSeconds() + " s: " + last);
    }

    /**
     * The demo's pools start at zero replicas, and the first call to each waits seconds for its pool to wake. A user
     * watching the demo expects its figures to show the platform serving, not starting (the tester saw 0 calls/s
     * for 3-4 s and an echo p99 of 3000 ms against a p50 of 20 ms), so one call to each function the load uses
     * wakes its pool, all three at once, before the clock starts; the summary says so. A cold start is what
     * {@code ferry invoke} right after {@code ferry dev} shows.
     */
    static void warmUp(GatewayClient client, PrintWriter out) throws InterruptedException {
        out.print("Waking the demo's pools from zero replicas...");
        out.flush();
        ExecutorService callers = Executors.newFixedThreadPool(3); // not the common pool: one thread on 2 cores
        try {
            // get(), not join(): a stop interrupts this thread, and join() would wait on for the calls.
            CompletableFuture.allOf(
                    CompletableFuture.runAsync(() -> warm(client, ECHO, "{\"hello\":\"ferry\"}", 200), callers),
                    CompletableFuture.runAsync(() -> warm(client, SLEEP, "{\"ms\": 1}", 200), callers),
                    // fail always fails: its call answers 502 once a replica ran it (its attempts then go to the DLQ).
                    CompletableFuture.runAsync(() -> warm(client, FAIL, "{}", 502), callers)).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof CliException cli ? cli : new CompletionException(e.getCause());
        } finally {
            callers.shutdownNow();
        }
        out.println(" done");
        out.flush();
    }

    private static void warm(GatewayClient client, String function, String payload, int expected) {
        long until = System.nanoTime() + READY_WAIT.toNanos();
        int status = 0;
        while (System.nanoTime() < until) {
            status = client.send("POST", "/v1/functions/" + function + "/invoke",
                    payload.getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json")).statusCode();
            if (status == expected) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted");
            }
        }
        throw new CliException("could not wake " + function + " (last answer HTTP " + status + ")");
    }

    private static String millis(long micros) {
        return BigDecimal.valueOf(micros).divide(BigDecimal.valueOf(1000), 1, RoundingMode.HALF_UP).toPlainString();
    }

    static List<String> functions() {
        return List.of(ECHO, SLEEP, FAIL);
    }
}

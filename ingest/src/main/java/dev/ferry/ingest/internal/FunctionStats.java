package dev.ferry.ingest.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.invocation.BilledTime;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live figures per function from every result this gateway reads (all of {@code ferry.results}, whoever invoked):
 * the completion rate and end-to-end latency (finishedAt − submittedAt, so Kafka's hops are included) for the
 * dashboard's {@code GET /v1/stats}, and the same as Prometheus meters for {@code /metrics}.
 *
 * <p>It also measures what the throughput model needs (issue 17): the run time {@code T} of attempts that ran (their
 * {@code durationMicros}, mean and p95 over {@link #WINDOW}) and the rate at which they complete (over
 * {@link #RATE_WINDOW}), see {@link #runTimes}.
 *
 * <p>Memory is bounded: per function at most {@value #MAX_SAMPLES} recent samples within {@link #WINDOW}.
 */
public final class FunctionStats {

    static final Duration WINDOW = Duration.ofSeconds(60);
    static final Duration RATE_WINDOW = Duration.ofSeconds(10);
    static final int MAX_SAMPLES = 20_000;

    /** What the dashboard shows for one function. */
    public record Snapshot(String function, double rate, long latencyP50Ms, long latencyP99Ms, long completed,
            long failed) {
    }

    /**
     * Run times of the attempts that ran within {@link #WINDOW} (never-started attempts have no run time), and how
     * many of them completed per second over {@link #RATE_WINDOW}: the measured service rate.
     *
     * @param ran attempts that ran within the window; the figures below are 0 when none did
     * @param meanRunMicros mean {@code durationMicros}, microseconds
     * @param p95RunMicros 95th percentile of {@code durationMicros}, microseconds
     * @param servicePerSecond attempts that ran completed per second over the recent rate window
     */
    public record RunTimes(long ran, double meanRunMicros, long p95RunMicros, double servicePerSecond) {
    }

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<FunctionRef, Window> windows = new ConcurrentHashMap<>();
    private final Map<FunctionRef, Deque<Long>> admissions = new ConcurrentHashMap<>();

    public FunctionStats(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    public void record(InvocationResult result) {
        FunctionRef ref = new FunctionRef(result.getTenant(), result.getFunction());
        long latencyMs = Math.max(0, result.getFinishedAt().toEpochMilli() - result.getSubmittedAt().toEpochMilli());
        boolean ran = BilledTime.ran(result);
        Counter.builder("ferry.invocations").description("Finished invocation attempts, by status")
                .tags("tenant", ref.tenant(), "function", ref.function(), "status", result.getStatus().name())
                .register(registry).increment();
        if (ran) {
            Timer.builder("ferry.invocation.latency")
                    .description("End-to-end latency of an attempt, from submission to result")
                    .tags("tenant", ref.tenant(), "function", ref.function())
                    .publishPercentileHistogram()
                    .register(registry).record(Duration.ofMillis(latencyMs));
            long billedMs = BilledTime.billedMillis(result);
            Counter.builder("ferry.billed.gb.seconds")
                    .description("Billable GB-seconds of finished attempts (memory x billed time), as metering bills them")
                    .tags("tenant", ref.tenant(), "function", ref.function())
                    .register(registry).increment(result.getMemoryMb() * (double) billedMs / 1024 / 1000);
        }
        windows.computeIfAbsent(ref, r -> new Window())
                .add(clock.millis(), latencyMs, result.getStatus() != InvocationStatus.SUCCEEDED,
                        ran ? Math.max(0, result.getDurationMicros()) : -1);
    }

    public Snapshot snapshot(FunctionRef ref) {
        Window window = windows.get(ref);
        return window == null ? new Snapshot(ref.function(), 0, 0, 0, 0, 0)
                : window.snapshot(ref.function(), clock.millis());
    }

    /** This gateway wrote an invocation of {@code ref} to {@code ferry.invocations} (sync or async). */
    public void admitted(FunctionRef ref) {
        long now = clock.millis();
        Deque<Long> times = admissions.computeIfAbsent(ref, r -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(now);
            trimAdmissions(times, now);
        }
    }

    /**
     * Invocations of {@code ref} this gateway admitted per second over {@link #RATE_WINDOW}: the arrival rate of the
     * throughput model. Exact for what passes this gateway; behind a balancer each gateway sees its share.
     */
    public double arrivalPerSecond(FunctionRef ref) {
        Deque<Long> times = admissions.get(ref);
        if (times == null) {
            return 0;
        }
        synchronized (times) {
            trimAdmissions(times, clock.millis());
            return times.size() / (double) RATE_WINDOW.toSeconds();
        }
    }

    private static void trimAdmissions(Deque<Long> times, long now) {
        long oldest = now - RATE_WINDOW.toMillis();
        while (!times.isEmpty() && (times.peekFirst() < oldest || times.size() > MAX_SAMPLES)) {
            times.removeFirst();
        }
    }

    /** The run times of one function's recent attempts; all zero when none ran within the window. */
    public RunTimes runTimes(FunctionRef ref) {
        Window window = windows.get(ref);
        return window == null ? new RunTimes(0, 0, 0, 0) : window.runTimes(clock.millis());
    }

    /** Samples of one function, oldest first; trimmed by age and count on every write and read. */
    private static final class Window {
        private final Deque<long[]> samples = new ArrayDeque<>(); // {atMillis, latencyMs, failed, runMicros or -1}

        synchronized void add(long now, long latencyMs, boolean failed, long runMicros) {
            samples.addLast(new long[] {now, latencyMs, failed ? 1 : 0, runMicros});
            trim(now);
        }

        synchronized Snapshot snapshot(String function, long now) {
            trim(now);
            long rateSince = now - RATE_WINDOW.toMillis();
            long recent = samples.stream().filter(s -> s[0] >= rateSince).count();
            long failed = samples.stream().filter(s -> s[2] == 1).count();
            long[] latencies = samples.stream().mapToLong(s -> s[1]).toArray();
            Arrays.sort(latencies);
            return new Snapshot(function, recent / (double) RATE_WINDOW.toSeconds(), percentile(latencies, 0.50),
                    percentile(latencies, 0.99), samples.size(), failed);
        }

        synchronized RunTimes runTimes(long now) {
            trim(now);
            long[] runs = samples.stream().filter(s -> s[3] >= 0).mapToLong(s -> s[3]).toArray();
            if (runs.length == 0) {
                return new RunTimes(0, 0, 0, 0);
            }
            long rateSince = now - RATE_WINDOW.toMillis();
            long recent = samples.stream().filter(s -> s[3] >= 0 && s[0] >= rateSince).count();
            Arrays.sort(runs);
            double mean = Arrays.stream(runs).average().orElse(0);
            return new RunTimes(runs.length, mean, percentile(runs, 0.95), recent / (double) RATE_WINDOW.toSeconds());
        }

        private void trim(long now) {
            long oldest = now - WINDOW.toMillis();
            while (!samples.isEmpty() && (samples.peekFirst()[0] < oldest || samples.size() > MAX_SAMPLES)) {
                samples.removeFirst();
            }
        }

        private static long percentile(long[] sorted, double p) {
            if (sorted.length == 0) {
                return 0;
            }
            return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
        }
    }
}

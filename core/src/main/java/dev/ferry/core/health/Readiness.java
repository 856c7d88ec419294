package dev.ferry.core.health;

import dev.ferry.core.DaemonThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The readiness of one process, by name: what every {@code /readyz} of the process answers, the gateway's public
 * one, metering's and the management listener's alike, so that no two of them can tell different stories (tester
 * 13B: a gateway's management {@code /readyz} left out the metering outage its public one reported). Each service
 * adds its checks as it starts (the gateway: Kafka reachable, its function directory and result reader caught up
 * and live; a dispatcher, the workers, metering: theirs); the process adds "services" while they start. Ready only
 * when every such check is. An <em>advisory</em> check (the usage source of a gateway whose metering runs
 * elsewhere) is reported beside them but does not decide readiness: it names a dependency of one endpoint, whose own
 * answer is 503 while it is down, not of what the process serves.
 *
 * <p>{@link #report()} is the one answer every {@code /readyz} renders. Thread-safe; checks may be added while the
 * process serves.
 */
public final class Readiness {

    private record Named(String name, ReadinessCheck check, boolean advisory) {
    }

    /** One check's answer: its problem, empty when it is ready; {@code advisory} when it does not decide readiness. */
    public record Answer(Optional<String> problem, boolean advisory) {
    }

    private final CopyOnWriteArrayList<Named> checks = new CopyOnWriteArrayList<>();

    public Readiness add(String name, ReadinessCheck check) {
        checks.add(new Named(name, check, false));
        return this;
    }

    /**
     * Adds a check that is reported but does not decide readiness (issue 16 tester, session 11: a gateway whose
     * metering was down answered 503 on {@code /readyz}, so the shipped Kubernetes probe took every gateway out of
     * its Service while every invocation still worked).
     */
    public Readiness addAdvisory(String name, ReadinessCheck check) {
        checks.add(new Named(name, check, true));
        return this;
    }

    /** A yes/no dependency: {@code problem} is what not ready means. */
    public Readiness add(String name, BooleanSupplier ok, String problem) {
        return add(name, () -> ok.getAsBoolean() ? Optional.empty() : Optional.of(problem));
    }

    /**
     * {@code check} asked every {@code interval} on a daemon thread of its own ({@code threadName}), never on the
     * thread of a probe: the returned check answers at once from its latest answer. For a dependency whose question
     * can block (a cluster or a remote service that hangs: a tester froze the broker and the gateway's public
     * {@code /readyz}, asking Kafka on the probe's thread, left probes unanswered for over 2 s, session 15). An answer
     * older than {@code stale} (the check is stuck, or has not answered yet) is a problem of its own, naming how long
     * it has been. Close it to stop the thread.
     *
     * @param interval the pause between the end of one question and the next, positive
     * @param stale how old the latest answer may be before the check says it has none, longer than {@code interval}
     *     plus the time the check may take
     */
    public static Polled polled(ReadinessCheck check, Duration interval, Duration stale, String threadName) {
        return new Polled(check, interval, stale, threadName);
    }

    /** A check asked in the background ({@link #polled}); {@link #close()} stops it. */
    public static final class Polled implements ReadinessCheck, AutoCloseable {

        private record Latest(Optional<String> problem, long atNanos) {
        }

        private final ReadinessCheck check;
        private final long staleNanos;
        private final long startedNanos = System.nanoTime();
        private final ScheduledExecutorService thread;
        private volatile Latest latest;

        private Polled(ReadinessCheck check, Duration interval, Duration stale, String threadName) {
            this.check = check;
            this.staleNanos = stale.toNanos();
            this.thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory(threadName));
            thread.scheduleWithFixedDelay(this::ask, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void ask() {
            Optional<String> problem;
            try {
                problem = check.problem();
            } catch (RuntimeException e) {
                problem = Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
            }
            latest = new Latest(problem, System.nanoTime());
        }

        @Override
        public Optional<String> problem() {
            Latest now = latest;
            long since = System.nanoTime() - (now == null ? startedNanos : now.atNanos());
            if (since > staleNanos) {
                return Optional.of((now == null ? "no answer yet" : "no answer") + " for "
                        + TimeUnit.NANOSECONDS.toMillis(since) + " ms");
            }
            return now == null ? Optional.of("not asked yet") : now.problem();
        }

        @Override
        public void close() {
            thread.shutdownNow();
        }
    }

    /**
     * Each check's answer by name, in the order added; a check that throws is not ready. Two checks under one name
     * are one answer: the first problem, advisory only when both are.
     */
    public Map<String, Answer> evaluate() {
        Map<String, Answer> answers = new LinkedHashMap<>();
        for (Named named : checks) {
            Optional<String> problem;
            try {
                problem = named.check().problem();
            } catch (RuntimeException e) {
                problem = Optional.of("its check failed: " + e);
            }
            answers.merge(named.name(), new Answer(problem, named.advisory()), (a, b) -> new Answer(
                    a.problem().isPresent() ? a.problem() : b.problem(), a.advisory() && b.advisory()));
        }
        return answers;
    }

    /**
     * What {@code /readyz} answers: {@link #evaluate()} in the one shape of every Ferry {@code /readyz}.
     *
     * @return 200 with {@code {"checks":{name:"ok" or why},"degraded":["name: why",...],"status":"ready"}}
     *         ({@code degraded} only when an advisory check fails), or 503 with {@code {"checks":{...},
     *         "degraded":[...],"error":"not ready: name: why; ...","code":"not_ready","errors":["name: why",...]}}
     *         naming each deciding check that is not ready (the error shape, {@code errors} one entry a check)
     */
    public Report report() {
        Map<String, Object> checks = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> degraded = new ArrayList<>();
        evaluate().forEach((name, answer) -> {
            checks.put(name, answer.problem().orElse("ok"));
            answer.problem().ifPresent(p -> (answer.advisory() ? degraded : problems).add(name + ": " + p));
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("checks", checks);
        if (!degraded.isEmpty()) {
            body.put("degraded", List.copyOf(degraded));
        }
        if (problems.isEmpty()) {
            body.put("status", "ready");
            return new Report(200, body);
        }
        body.put("error", "not ready: " + String.join("; ", problems));
        body.put("code", "not_ready");
        body.put("errors", List.copyOf(problems));
        return new Report(503, body);
    }

    /**
     * One {@code /readyz} answer: its HTTP status (200 or 503) and JSON body (maps, lists and strings in order), as
     * {@link #report()} describes.
     */
    public record Report(int status, Map<String, Object> body) {
    }
}

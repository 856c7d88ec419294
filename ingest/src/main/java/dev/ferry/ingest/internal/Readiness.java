package dev.ferry.ingest.internal;

import dev.ferry.core.health.ReadinessCheck;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * What {@code GET /readyz} asks, by name: Kafka reachable, the function directory and result reader caught up and
 * live, and whatever the assembler of the process adds (the services running beside the gateway, the built-in
 * functions of {@code ferry dev}). Ready only when every such check is. An <em>advisory</em> check (the usage source
 * of a gateway whose metering runs elsewhere) is reported beside them but does not decide readiness: it names a
 * dependency of one endpoint, whose own answer is 503 while it is down, not of what the gateway serves.
 * Thread-safe; checks may be added while the gateway serves.
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
     * {@code check} asked at most once per {@code ttl}, for a dependency a probe must not load (a remote service):
     * probes come every few seconds from every balancer.
     */
    public static ReadinessCheck cached(ReadinessCheck check, Duration ttl) {
        return new ReadinessCheck() {
            private long askedAt;
            private Optional<String> answer;

            @Override
            public synchronized Optional<String> problem() {
                long now = System.nanoTime();
                if (answer == null || now - askedAt >= ttl.toNanos()) {
                    try {
                        answer = check.problem();
                    } catch (RuntimeException e) {
                        answer = Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
                    }
                    askedAt = now;
                }
                return answer;
            }
        };
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
}

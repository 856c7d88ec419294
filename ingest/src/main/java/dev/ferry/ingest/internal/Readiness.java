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
 * live, the usage source reachable where one is wired, and whatever the assembler of the process adds (the services
 * running beside the gateway, the built-in functions of {@code ferry dev}). Ready only when every check is.
 * Thread-safe; checks may be added while the gateway serves.
 */
public final class Readiness {

    private record Named(String name, ReadinessCheck check) {
    }

    private final CopyOnWriteArrayList<Named> checks = new CopyOnWriteArrayList<>();

    public Readiness add(String name, ReadinessCheck check) {
        checks.add(new Named(name, check));
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

    /** Each check's problem, empty where it is ready, in the order added; a check that throws is not ready. */
    public Map<String, Optional<String>> evaluate() {
        Map<String, Optional<String>> answers = new LinkedHashMap<>();
        for (Named named : checks) {
            Optional<String> problem;
            try {
                problem = named.check().problem();
            } catch (RuntimeException e) {
                problem = Optional.of("its check failed: " + e);
            }
            answers.merge(named.name(), problem, (a, b) -> a.isPresent() ? a : b);
        }
        return answers;
    }
}

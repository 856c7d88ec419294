package dev.ferry.ingest.internal;

import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.schemas.TriggerState;
import dev.ferry.schemas.TriggerStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the replicas of every trigger last reported on {@code ferry.trigger-status} (TriggerStatus records keyed
 * {@code tenant/name/worker}; docs/design.md section 10), summed per trigger for {@code GET /v1/triggers}.
 *
 * <p>Rules (issue 14, part 1):
 * <ul>
 *   <li>A replica counts while fresh: its last report is at most 3 status intervals old
 *   ({@code trigger.status.interval.ms}); a replica that stopped without saying so fades out. A tombstone (a replica
 *   that stopped cleanly) removes it at once.</li>
 *   <li>Counts ({@code read}, {@code filtered}, {@code answered}, {@code failed}) are the sums of the fresh replicas'
 *   totals, each since its replica started. {@code lag} is the sum of the lags they know; null when none knows
 *   (no replica yet, or all report -1).</li>
 *   <li>Rates per second: for each fresh replica with two reports, (latest - previous) / time between them, summed;
 *   null when no replica has two reports yet. A replica whose counts went down (it restarted under the same
 *   name) starts its samples over.</li>
 *   <li>State: PAUSED when the spec is disabled; FAILING when any fresh replica says FAILING (or the function the
 *   trigger runs is not deployed); RUNNING otherwise, also before any replica reports.</li>
 * </ul>
 * Thread-safe: the status tail writes while HTTP handlers read.
 */
public final class TriggerStatusBoard {

    /** Counts of one trigger, or their per-second rates. */
    public record Counts(double read, double filtered, double answered, double failed) {
    }

    /**
     * One trigger's summed status.
     *
     * @param lag records of the source not yet consumed, or null when unknown
     * @param rates per-second rates, or null until some replica reported twice
     * @param replicas fresh replicas counted
     * @param error why it is FAILING (the first failing replica's error), else null
     */
    public record Summary(TriggerState state, Long lag, long read, long filtered, long answered, long failed,
            Counts rates, int replicas, String error) {
    }

    private record Samples(TriggerStatus previous, TriggerStatus latest) {
    }

    private final Map<TriggerRef, Map<String, Samples>> replicas = new ConcurrentHashMap<>();
    private final Duration freshFor;
    private final Clock clock;

    /** @param statusInterval {@code trigger.status.interval.ms}: replicas older than three of it are ignored */
    public TriggerStatusBoard(Duration statusInterval, Clock clock) {
        this.freshFor = statusInterval.multipliedBy(3);
        this.clock = clock;
    }

    /**
     * Takes one record of {@code ferry.trigger-status}: a report, or (with a null status) a tombstone.
     *
     * @throws IllegalArgumentException when the key is not {@code tenant/name/worker}
     */
    public void record(String key, TriggerStatus status) {
        int first = key == null ? -1 : key.indexOf('/');
        int second = first < 0 ? -1 : key.indexOf('/', first + 1);
        if (second < 0 || second == key.length() - 1) {
            throw new IllegalArgumentException("Expected a key tenant/name/worker, got '" + key + "'");
        }
        TriggerRef ref = TriggerRef.parseKey(key.substring(0, second));
        String worker = key.substring(second + 1);
        if (status == null) {
            replicas.computeIfPresent(ref, (r, byWorker) -> {
                byWorker.remove(worker);
                return byWorker.isEmpty() ? null : byWorker;
            });
            return;
        }
        replicas.computeIfAbsent(ref, r -> new ConcurrentHashMap<>()).merge(worker, new Samples(null, status),
                (old, fresh) -> next(old.latest(), status));
    }

    private static Samples next(TriggerStatus before, TriggerStatus now) {
        if (!now.getAt().isAfter(before.getAt())) {
            return new Samples(null, now); // no time between them: no rate to take
        }
        boolean restarted = now.getRead() < before.getRead() || now.getFiltered() < before.getFiltered()
                || now.getAnswered() < before.getAnswered() || now.getFailed() < before.getFailed();
        return new Samples(restarted ? null : before, now);
    }

    /**
     * The summed status of {@code ref}.
     *
     * @param enabled the spec's {@code enabled}
     * @param functionDeployed whether the function it runs exists
     */
    public Summary summary(TriggerRef ref, String function, boolean enabled, boolean functionDeployed) {
        Instant oldest = clock.instant().minus(freshFor);
        long read = 0;
        long filtered = 0;
        long answered = 0;
        long failed = 0;
        Long lag = null;
        double[] rates = null;
        int fresh = 0;
        String error = null;
        boolean failing = false;
        for (Samples samples : replicas.getOrDefault(ref, Map.of()).values()) {
            TriggerStatus s = samples.latest();
            if (s.getAt().isBefore(oldest)) {
                continue;
            }
            fresh++;
            read += s.getRead();
            filtered += s.getFiltered();
            answered += s.getAnswered();
            failed += s.getFailed();
            if (s.getLag() >= 0) {
                lag = (lag == null ? 0 : lag) + s.getLag();
            }
            if (s.getState() == TriggerState.FAILING) {
                failing = true;
                if (error == null) {
                    error = s.getError() != null ? s.getError() : "replica " + s.getWorker() + " is failing";
                }
            }
            TriggerStatus p = samples.previous();
            if (p != null) {
                double seconds = Duration.between(p.getAt(), s.getAt()).toMillis() / 1000.0;
                rates = rates == null ? new double[4] : rates;
                rates[0] += (s.getRead() - p.getRead()) / seconds;
                rates[1] += (s.getFiltered() - p.getFiltered()) / seconds;
                rates[2] += (s.getAnswered() - p.getAnswered()) / seconds;
                rates[3] += (s.getFailed() - p.getFailed()) / seconds;
            }
        }
        TriggerState state;
        if (!enabled) {
            state = TriggerState.PAUSED;
        } else if (!functionDeployed) {
            state = TriggerState.FAILING;
            error = "function '" + function + "' is not deployed";
        } else {
            state = failing ? TriggerState.FAILING : TriggerState.RUNNING;
        }
        return new Summary(state, lag, read, filtered, answered, failed,
                rates == null ? null : new Counts(rates[0], rates[1], rates[2], rates[3]), fresh,
                state == TriggerState.FAILING ? error : null);
    }
}

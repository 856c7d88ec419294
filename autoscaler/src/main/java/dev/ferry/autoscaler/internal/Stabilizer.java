package dev.ferry.autoscaler.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps one function's size from flapping: up at once; down only to the highest size recommended over the last
 * stabilization window, and only once the window is full of history; to the minimum after an idle period; back
 * from zero at the first record.
 *
 * <p>Unlike KEDA (a 30 s poll feeding HPA's 300 s scale-down window), the window is short because the samples are
 * frequent: every sample in the window votes, so a single quiet second cannot shrink a pool.
 */
public final class Stabilizer {

    /** A stabilized size and, when it differs from the recommendation, why. */
    public record Result(int replicas, String note) {
    }

    private record Vote(Instant at, int replicas) {
    }

    private final Duration window;
    private final Duration idle;
    private final Deque<Vote> votes = new ArrayDeque<>();
    private Instant firstAt;
    private Instant idleSince;

    public Stabilizer(Duration window, Duration idle) {
        this.window = window;
        this.idle = idle;
    }

    /**
     * @param current the size in force
     * @param recommended the policy's size for now
     * @param min the function's minReplicas
     * @param busy whether the function has lag or arrivals now
     */
    public Result next(int current, int recommended, int min, boolean busy, Instant now) {
        if (firstAt == null) {
            firstAt = now;
        }
        idleSince = busy ? null : (idleSince == null ? now : idleSince);
        votes.addLast(new Vote(now, recommended));
        while (!votes.isEmpty() && votes.peekFirst().at().isBefore(now.minus(window))) {
            votes.removeFirst();
        }

        if (recommended >= current) {
            if (current == 0 && busy && recommended == 0) {
                return new Result(Math.max(1, min), "back from zero at the first record");
            }
            return new Result(recommended, null);
        }
        if (!busy && idleSince != null && !now.isBefore(idleSince.plus(idle))) {
            return new Result(min, "idle for " + Duration.between(idleSince, now).toSeconds() + " s");
        }
        if (now.isBefore(firstAt.plus(window))) {
            return new Result(current, "holding " + current + " until " + window.toSeconds()
                    + " s of history show a lower size");
        }
        int highest = votes.stream().mapToInt(Vote::replicas).max().orElse(recommended);
        int floor = current > 0 ? 1 : 0; // only an idle period takes a working pool to zero
        int size = Math.max(min, Math.max(floor, Math.min(current, highest)));
        if (size == recommended) {
            return new Result(size, null);
        }
        return new Result(size, size == current
                ? "holding " + current + " for the " + window.toSeconds() + " s stabilization window"
                : "down to the highest size of the last " + window.toSeconds() + " s");
    }
}

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
 * frequent: every sample in the window votes, so a single quiet second cannot shrink a pool. But a pool that had
 * to scale up again soon after scaling down (a bursty topic) doubles its window, up to {@link #MAX_DOUBLINGS}
 * times, so it keeps the capacity its bursts need instead of flapping and meeting every burst cold; each quiet
 * {@link #CALM_WINDOWS} windows halve it again.
 */
public final class Stabilizer {

    /** A stabilized size and, when it differs from the recommendation, why. */
    public record Result(int replicas, String note) {
    }

    private record Vote(Instant at, int replicas) {
    }

    static final int MAX_DOUBLINGS = 3;
    static final int CALM_WINDOWS = 10;

    private final Duration window;
    private final Duration idle;
    private final Deque<Vote> votes = new ArrayDeque<>();
    private Instant firstAt;
    private Instant idleSince;
    private Instant lastDown;
    private Instant calmSince;
    private int doublings;

    public Stabilizer(Duration window, Duration idle) {
        this.window = window;
        this.idle = idle;
    }

    /**
     * @param current the size in force
     * @param recommended the policy's size for now
     * @param sustained the part of {@code recommended} that keeps up with the load (the window holds only this)
     * @param min the function's minReplicas
     * @param busy whether the function has lag or arrivals now
     */
    public Result next(int current, int recommended, int sustained, int min, boolean busy, Instant now) {
        if (firstAt == null) {
            firstAt = now;
        }
        if (calmSince == null) {
            calmSince = now;
        }
        idleSince = busy ? null : (idleSince == null ? now : idleSince);
        if (doublings > 0 && !now.isBefore(calmSince.plus(window.multipliedBy(CALM_WINDOWS)))) {
            doublings--;
            calmSince = now;
        }
        Duration effective = window.multipliedBy(1L << doublings);
        votes.addLast(new Vote(now, sustained));
        while (!votes.isEmpty() && votes.peekFirst().at().isBefore(now.minus(effective))) {
            votes.removeFirst();
        }

        if (recommended >= current) {
            if (recommended > current && lastDown != null && !now.isAfter(lastDown.plus(effective))) {
                doublings = Math.min(MAX_DOUBLINGS, doublings + 1); // scaled down too soon: hold longer
                calmSince = now;
            }
            if (current == 0 && busy && recommended == 0) {
                return new Result(Math.max(1, min), "back from zero at the first record");
            }
            return new Result(recommended, null);
        }
        if (!busy && idleSince != null && !now.isBefore(idleSince.plus(idle))) {
            lastDown = now;
            return new Result(min, "idle for " + Duration.between(idleSince, now).toSeconds() + " s");
        }
        if (now.isBefore(firstAt.plus(window))) {
            return new Result(current, "holding " + current + " until " + window.toSeconds()
                    + " s of history show a lower size");
        }
        int highest = Math.max(recommended, votes.stream().mapToInt(Vote::replicas).max().orElse(recommended));
        int floor = current > 0 ? 1 : 0; // only an idle period takes a working pool to zero
        int size = Math.max(min, Math.max(floor, Math.min(current, highest)));
        if (size < current) {
            lastDown = now;
        }
        if (size == recommended) {
            return new Result(size, null);
        }
        return new Result(size, size == current
                ? "holding " + current + " for the " + effective.toSeconds() + " s stabilization window"
                : "down to the highest sustained size of the last " + effective.toSeconds() + " s");
    }
}

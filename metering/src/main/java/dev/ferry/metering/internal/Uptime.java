package dev.ferry.metering.internal;

import java.util.List;

/**
 * Up and down runs of one function in one window, from the outcomes ordered by {@code finishedAt}; metering/README.md
 * defines them. Each millisecond counts once: down if any attempt finishing in it failed, else up. A run starts at
 * the first millisecond of its state and lasts until the next run starts; the last run lasts until the window ends.
 */
public record Uptime(long upMillis, long upRuns, long downMillis, long downRuns) {

    public static final Uptime NONE = new Uptime(0, 0, 0, 0);

    /** One millisecond of the timeline: when, and whether an attempt failed in it. */
    public record Point(long at, boolean down) {
    }

    /** The runs of a timeline sorted by time with distinct times, clipped at {@code windowEnd}. */
    public static Uptime of(List<Point> timeline, long windowEnd) {
        long upMillis = 0;
        long upRuns = 0;
        long downMillis = 0;
        long downRuns = 0;
        int i = 0;
        while (i < timeline.size()) {
            Point first = timeline.get(i);
            int j = i + 1;
            while (j < timeline.size() && timeline.get(j).down() == first.down()) {
                j++;
            }
            long end = j < timeline.size() ? timeline.get(j).at() : Math.max(windowEnd, first.at() + 1);
            long length = end - first.at();
            if (first.down()) {
                downMillis += length;
                downRuns++;
            } else {
                upMillis += length;
                upRuns++;
            }
            i = j;
        }
        return new Uptime(upMillis, upRuns, downMillis, downRuns);
    }

    public Uptime plus(Uptime other) {
        return new Uptime(upMillis + other.upMillis, upRuns + other.upRuns, downMillis + other.downMillis,
                downRuns + other.downRuns);
    }

    /**
     * R = MTBF / (MTBF + MTTR) with MTBF the mean up run and MTTR the mean down run; 1.0 without failures (and
     * without any outcome), 0.0 with failures only.
     */
    public double availability() {
        if (downRuns == 0) {
            return 1.0;
        }
        if (upRuns == 0) {
            return 0.0;
        }
        double mtbf = (double) upMillis / upRuns;
        double mttr = (double) downMillis / downRuns;
        return mtbf / (mtbf + mttr);
    }
}

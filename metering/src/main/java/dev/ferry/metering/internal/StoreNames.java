package dev.ferry.metering.internal;

/** Names of the metering state stores; their changelogs are {@code <application.id>-<name>-changelog}. */
public final class StoreNames {

    /** (invocationId, attempt) already billed: a window store, so its segments expire with the retention. */
    public static final String DEDUP = "dedup";
    /** Counters of the windows still open, by {@code tenant/function/paddedWindowStart}. */
    public static final String OPEN = "open-windows";
    /** Up or down per millisecond of each open window, the basis of availability. */
    public static final String TIMELINE = "timeline";
    /** Closed windows, by {@code tenant/function} and window start: queryable. */
    public static final String WINDOWS = "usage-windows";
    /** Hourly roll-ups of closed windows, by the hour their window starts in. */
    public static final String HOURS = "usage-hours";
    /** Daily roll-ups (UTC days) of closed windows. */
    public static final String DAYS = "usage-days";
    /** Running totals since the first window, by {@code tenant/function}. */
    public static final String TOTALS = "usage-totals";
    /** The task's close watermark: windows ending (plus grace) at or before it are final. */
    public static final String META = "meta";

    private StoreNames() {
    }
}

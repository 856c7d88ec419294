package dev.ferry.metering;

/** The span of the usage records a query returns. */
public enum Granularity {
    /** The closed windows themselves, as on {@code ferry.usage}. */
    WINDOW,
    /** Hourly roll-ups (UTC) of the closed windows. */
    HOUR,
    /** Daily roll-ups (UTC) of the closed windows. */
    DAY
}

package dev.ferry.metering.internal;

/**
 * Store and record keys. Times inside store keys are zero-padded to 19 digits so that the byte order of the
 * keys is their time order, which range and prefix scans rely on.
 */
public final class Keys {

    /** Sorts after every character a function name may hold ({@code [a-z0-9-]}). */
    private static final String AFTER_NAMES = "~";

    private Keys() {
    }

    /** {@code tenant/function}: the partitioning key after the repartition, and the key of the query stores. */
    public static String function(String tenant, String function) {
        return tenant + "/" + function;
    }

    /** Lowest key of a tenant's functions, inclusive. */
    public static String tenantFrom(String tenant) {
        return tenant + "/";
    }

    /** Highest key of a tenant's functions, inclusive. */
    public static String tenantTo(String tenant) {
        return tenant + "/" + AFTER_NAMES;
    }

    public static String openWindow(String functionKey, long windowStart) {
        return functionKey + "/" + pad(windowStart);
    }

    public static String timelinePrefix(String openWindowKey) {
        return openWindowKey + "/";
    }

    public static String timeline(String openWindowKey, long finishedAt) {
        return timelinePrefix(openWindowKey) + pad(finishedAt);
    }

    /** The finishedAt part of a timeline key. */
    public static long timelineTime(String timelineKey) {
        return Long.parseLong(timelineKey.substring(timelineKey.lastIndexOf('/') + 1));
    }

    /** {@code tenant/function/windowStart} (epoch millis), the key of a record on {@code ferry.usage}. */
    public static String usage(String tenant, String function, long windowStart) {
        return function(tenant, function) + "/" + windowStart;
    }

    /**
     * One billable attempt: a result seen again with the same key is a duplicate. Scoped by tenant and function
     * (issue 12): invocation ids are chosen by clients on the Kafka path, so two tenants' results may share one, and
     * each must still be billed. A name never holds '/', so the parts cannot run into each other.
     */
    public static String attempt(String tenant, String function, String invocationId, int attempt) {
        return function(tenant, function) + "/" + invocationId + "/" + attempt;
    }

    private static String pad(long millis) {
        return String.format("%019d", Math.max(0, millis));
    }
}

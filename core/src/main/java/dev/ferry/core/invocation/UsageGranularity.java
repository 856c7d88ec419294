package dev.ferry.core.invocation;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The span of the usage rows a query returns (issue 13, part 5): the closed windows themselves, or their hourly or
 * daily roll-ups (UTC). One type for metering's query API, the gateway's {@code GET /v1/usage?granularity=} and the
 * command line's {@code --granularity}.
 */
public enum UsageGranularity {
    /** The closed windows, as on {@code ferry.usage}. */
    WINDOW,
    /** Hourly roll-ups (UTC) of the closed windows. */
    HOUR,
    /** Daily roll-ups (UTC) of the closed windows. */
    DAY;

    /**
     * Reads {@code window}, {@code hour} or {@code day}, any case; null or empty is {@link #WINDOW}.
     *
     * @throws IllegalArgumentException naming the allowed values
     */
    public static UsageGranularity parse(String text) {
        if (text == null || text.isEmpty()) {
            return WINDOW;
        }
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("granularity must be one of " + Arrays.stream(values())
                    .map(v -> v.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")) + ", got '" + text
                    + "'");
        }
    }

    /** The lower-case name the HTTP APIs use. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}

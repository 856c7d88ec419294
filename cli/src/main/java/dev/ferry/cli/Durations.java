package dev.ferry.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the durations people type: {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}. The unit is required: a bare
 * {@code --timeout 5} meant seconds to the person who typed it and milliseconds to the parser (a tester's deploy got
 * a 5 ms timeout without a word), so a number alone is refused with the two readings spelled out.
 */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private Durations() {
    }

    public static long parseMillis(String option, String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new CliException(option + " expects a duration such as 500ms, 30s, 2m or 1h, got '" + text + "'", 2);
        }
        if (m.group(2) == null) {
            throw new CliException(option + " needs a unit: " + m.group(1) + "s or " + m.group(1) + "ms (also m, h), got '"
                    + text + "'", 2);
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2);
        return switch (unit) {
            case "ms" -> amount;
            case "s" -> amount * 1_000L;
            case "m" -> amount * 60_000L;
            case "h" -> amount * 3_600_000L;
            default -> throw new IllegalStateException(unit);
        };
    }
}

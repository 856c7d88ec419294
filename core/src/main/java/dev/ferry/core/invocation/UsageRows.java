package dev.ferry.core.invocation;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one JSON layout of a usage row (issue 13, part 5), written by metering's query API and the gateway's
 * {@code GET /v1/usage} alike:
 * {@code {"tenant","function","windowStart","windowEnd","invocations","failures","billedMillis","mbMillis",
 * "gbSeconds","cost","availability","successRatio"}}. Instants are ISO-8601; {@code gbSeconds} and {@code cost} are
 * decimal strings, so no JSON parser turns money into binary floating point; {@code gbSeconds} is exact
 * ({@link BilledTime#gbSeconds}).
 */
public final class UsageRows {

    private UsageRows() {
    }

    /** A row in the order of the layout, for any JSON writer. */
    public static Map<String, Object> row(String tenant, String function, Instant windowStart, Instant windowEnd,
            long invocations, long failures, long billedMillis, long mbMillis, BigDecimal cost, double availability) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("tenant", tenant);
        row.put("function", function);
        row.put("windowStart", windowStart.toString());
        row.put("windowEnd", windowEnd.toString());
        row.put("invocations", invocations);
        row.put("failures", failures);
        row.put("billedMillis", billedMillis);
        row.put("mbMillis", mbMillis);
        row.put("gbSeconds", BilledTime.gbSeconds(mbMillis).toPlainString());
        row.put("cost", cost.toPlainString());
        row.put("availability", availability);
        row.put("successRatio", successRatio(invocations, failures));
        return row;
    }

    /** The share of invocations that did not fail; 1 for a window without any. */
    public static double successRatio(long invocations, long failures) {
        return invocations == 0 ? 1.0 : (double) (invocations - failures) / invocations;
    }
}

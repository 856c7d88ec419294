package dev.ferry.metering.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.FerryException;
import dev.ferry.core.invocation.UsageRows;
import dev.ferry.metering.Usage;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the usage API. Money and GB-seconds travel as decimal strings, so no JSON parser turns them into
 * binary floating point on the way.
 */
public final class UsageJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private UsageJson() {
    }

    public static Usage toUsage(WindowTotals t) {
        return new Usage(t.tenant(), t.function(), Instant.ofEpochMilli(t.windowStart()),
                Instant.ofEpochMilli(t.windowEnd()), t.invocations(), t.failures(), t.billedMillis(), t.mbMillis(),
                Billing.gbSeconds(t.mbMillis()), t.cost().setScale(Billing.COST_SCALE, Billing.COST_ROUNDING),
                t.availability(), t.successRatio());
    }

    /** The rows in the one usage layout ({@link UsageRows}), as a JSON array. */
    public static String write(List<Usage> rows) {
        List<Map<String, Object>> out = new ArrayList<>(rows.size());
        for (Usage u : rows) {
            out.add(UsageRows.row(u.tenant(), u.function(), u.windowStart(), u.windowEnd(), u.invocations(),
                    u.failures(), u.billedMillis(), u.mbMillis(), u.cost(), u.availability()));
        }
        try {
            return MAPPER.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new FerryException("Cannot write usage JSON: " + e.getMessage(), e);
        }
    }

    public static List<Usage> read(String json) {
        try {
            List<Usage> rows = new ArrayList<>();
            for (JsonNode n : MAPPER.readTree(json)) {
                rows.add(new Usage(n.path("tenant").asText(), n.path("function").asText(),
                        Instant.parse(n.path("windowStart").asText()), Instant.parse(n.path("windowEnd").asText()),
                        n.path("invocations").asLong(), n.path("failures").asLong(), n.path("billedMillis").asLong(),
                        n.path("mbMillis").asLong(), new BigDecimal(n.path("gbSeconds").asText()),
                        new BigDecimal(n.path("cost").asText()), n.path("availability").asDouble(),
                        n.path("successRatio").asDouble()));
            }
            return rows;
        } catch (JsonProcessingException | RuntimeException e) {
            throw new FerryException("Cannot read usage JSON: " + e.getMessage(), e);
        }
    }
}

package dev.ferry.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.Table;
import java.math.BigDecimal;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry usage}: the tenant's billed usage per function and window, with totals. */
@Command(name = "usage", mixinStandardHelpOptions = true,
        description = "Show billed usage (GB-seconds and cost) per function and window.")
public final class UsageCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--from", description = "Start: ISO-8601 instant or epoch milliseconds.")
    String from;

    @Option(names = "--to", description = "End: ISO-8601 instant or epoch milliseconds.")
    String to;

    @Option(names = "--function", description = "Only this function.")
    String function;

    @Option(names = "--granularity", description = "window (default), hour or day: the closed windows or their "
            + "UTC roll-ups.")
    String granularity;

    @Option(names = "--json", description = "Print the gateway's JSON as it is.")
    boolean json;

    /** The row's exact GB-seconds (mbMillis / 1024 / 1000, docs/design.md), shown to six places. */
    static String gbSeconds(JsonNode row) {
        return new BigDecimal(row.path("gbSeconds").asText("0")).setScale(6, java.math.RoundingMode.HALF_EVEN)
                .toPlainString();
    }

    @Override
    public Integer call() throws Exception {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        if (from != null) {
            query.add("from=" + GatewayClient.encode(from));
        }
        if (to != null) {
            query.add("to=" + GatewayClient.encode(to));
        }
        if (function != null) {
            query.add("function=" + GatewayClient.encode(function));
        }
        if (granularity != null) {
            query.add("granularity=" + GatewayClient.encode(granularity));
        }
        JsonNode usage = gateway.client().json("GET", "/v1/usage" + query, null);
        if (json) {
            spec.commandLine().getOut().println(GatewayClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(usage));
            return 0;
        }
        JsonNode records = usage.isArray() ? usage : usage.path("records");
        Table table = new Table("FUNCTION", "WINDOW_START", "INVOCATIONS", "FAILURES", "BILLED_MS", "GB_S", "COST",
                "AVAILABILITY");
        long invocations = 0;
        BigDecimal cost = BigDecimal.ZERO;
        for (JsonNode r : records) {
            table.row(r.path("function").asText(), r.path("windowStart").asText(), r.path("invocations").asText(),
                    r.path("failures").asText(), r.path("billedMillis").asText(), gbSeconds(r),
                    FunctionsCommand.orDash(r, "cost"), FunctionsCommand.orDash(r, "availability"));
            invocations += r.path("invocations").asLong();
            if (r.hasNonNull("cost")) {
                cost = cost.add(new BigDecimal(r.get("cost").asText()));
            }
        }
        if (table.isEmpty()) {
            spec.commandLine().getOut().println("no usage in this range yet (windows close after their grace period)");
            return 0;
        }
        table.print(spec.commandLine().getOut());
        spec.commandLine().getOut().printf("total: %d invocations, cost %s%n", invocations, cost.toPlainString());
        return 0;
    }
}

package dev.ferry.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.Table;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry functions}: lists the tenant's functions; {@code show} and {@code delete} act on one. */
@Command(name = "functions", mixinStandardHelpOptions = true,
        description = "List your functions, with replicas, lag, and the throughput model's capacity (requests/s) and "
                + "utilization (arrival / capacity).",
        subcommands = {FunctionsCommand.Show.class, FunctionsCommand.Delete.class})
public final class FunctionsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Override
    public Integer call() {
        JsonNode listed = gateway.client().json("GET", "/v1/functions", null);
        JsonNode functions = listed.isArray() ? listed : listed.path("functions");
        Table table = new Table("NAME", "RUNTIME", "HANDLER", "MEMORY_MB", "DELIVERY", "REPLICAS", "LAG",
                "MEAN_RUN_MS", "CAPACITY/S", "UTIL");
        for (JsonNode fn : functions) {
            JsonNode model = fn.path("model");
            table.row(fn.path("name").asText(), fn.path("runtime").asText(), fn.path("handler").asText(),
                    fn.path("memoryMb").asText(), fn.path("delivery").asText(), orDash(fn, "replicas"),
                    orDash(fn, "lag"), meanRun(model), capacity(model), utilization(model));
        }
        if (table.isEmpty()) {
            spec.commandLine().getOut().println("no functions deployed (deploy one with `ferry deploy NAME --handler echo`)");
        } else {
            table.print(spec.commandLine().getOut());
        }
        return 0;
    }

    static String orDash(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : "-";
    }

    /** A measured figure with one decimal, or a dash when it is not measured (null or absent). */
    static String decimal(JsonNode node, String field) {
        return node.hasNonNull(field) ? String.format(java.util.Locale.ROOT, "%.1f", node.get(field).asDouble()) : "-";
    }

    /**
     * Below this mean run time (milliseconds) a function's capacity is not shown: {@code durationMicros} counts
     * whole microseconds, the column shows tenths of a millisecond, and a call this short is bounded by the work
     * around it (fetching, acknowledging, writing its result), which T does not see. {@code ferry demo}'s echo
     * (3-5 µs) showed 0.0 ms and a capacity of 12,800,000-21,333,333 requests/s on 8 replicas.
     */
    static final double RESOLVED_RUN_MS = 0.05;

    /** The mean run time with one decimal; {@code <0.1} when it is shorter than the column resolves. */
    static String meanRun(JsonNode model) {
        return belowResolution(model) ? "<0.1" : decimal(model, "meanRunMs");
    }

    /** The model's capacity, or a dash when it is not measured or the run time is below {@link #RESOLVED_RUN_MS}. */
    static String capacity(JsonNode model) {
        return belowResolution(model) ? "-" : decimal(model, "capacityPerSecond");
    }

    /** Arrival over capacity, or a dash wherever {@link #capacity} shows none. */
    static String utilization(JsonNode model) {
        return belowResolution(model) ? "-" : percent(model, "utilization");
    }

    private static boolean belowResolution(JsonNode model) {
        return model.hasNonNull("meanRunMs") && model.get("meanRunMs").asDouble() < RESOLVED_RUN_MS;
    }

    /** A fraction as a whole percentage ({@code 0.5} is {@code 50%}), or a dash when it is not measured. */
    static String percent(JsonNode node, String field) {
        return node.hasNonNull(field)
                ? String.format(java.util.Locale.ROOT, "%.0f%%", 100 * node.get(field).asDouble()) : "-";
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print one function as JSON.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GatewayOptions gateway;

        @Parameters(index = "0", description = "Function name.")
        String name;

        @Override
        public Integer call() throws Exception {
            JsonNode fn = gateway.client().json("GET", "/v1/functions/" + GatewayClient.encode(name), null);
            spec.commandLine().getOut().println(GatewayClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(fn));
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a function.")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GatewayOptions gateway;

        @Parameters(index = "0", description = "Function name.")
        String name;

        @Override
        public Integer call() {
            gateway.client().json("DELETE", "/v1/functions/" + GatewayClient.encode(name), null);
            spec.commandLine().getOut().println("deleted " + name);
            return 0;
        }
    }
}

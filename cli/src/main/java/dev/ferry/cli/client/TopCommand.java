package dev.ferry.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.ferry.cli.Durations;
import dev.ferry.cli.Table;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry top}: a live view of every function's replicas, desired size and lag ({@code GET /v1/scaling}), and
 * its throughput model's capacity and utilization ({@code model} of {@code GET /v1/functions}, issue 17).
 */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = "Watch replicas, desired size, lag, capacity (requests/s) and utilization of your functions, "
                + "refreshed live.")
public final class TopCommand implements Callable<Integer> {

    private static final String CLEAR = "\033[H\033[2J";

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--once", description = "Print one snapshot and exit (for scripts).")
    boolean once;

    @Option(names = "--interval", defaultValue = "1s", description = "Refresh interval (default: ${DEFAULT-VALUE}).")
    String interval;

    @Override
    public Integer call() throws InterruptedException {
        long every = Durations.parseMillis("--interval", interval);
        GatewayClient client = gateway.client();
        PrintWriter out = spec.commandLine().getOut();
        while (true) {
            JsonNode scaling = client.json("GET", "/v1/scaling", null);
            JsonNode functions = client.json("GET", "/v1/functions", null);
            if (!once) {
                out.print(CLEAR);
                out.println("ferry top - " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " (Ctrl-C to quit)");
            }
            render(scaling, functions, out);
            if (once) {
                return 0;
            }
            Thread.sleep(every);
        }
    }

    static void render(JsonNode scaling, JsonNode described, PrintWriter out) {
        JsonNode functions = scaling.isArray() ? scaling : scaling.path("functions");
        Map<String, JsonNode> models = new HashMap<>();
        for (JsonNode fn : described.isArray() ? described : described.path("functions")) {
            models.put(fn.path("name").asText(), fn.path("model"));
        }
        Table table = new Table("FUNCTION", "REPLICAS", "DESIRED", "LAG", "ARRIVAL/S", "CAPACITY/S", "UTIL");
        for (JsonNode fn : functions) {
            String name = fn.has("function") ? fn.path("function").asText() : fn.path("name").asText();
            JsonNode model = models.getOrDefault(name, MissingNode.getInstance());
            table.row(name, FunctionsCommand.orDash(fn, "replicas"), FunctionsCommand.orDash(fn, "desiredReplicas"),
                    FunctionsCommand.orDash(fn, "lag"), FunctionsCommand.decimal(model, "arrivalRatePerSecond"),
                    FunctionsCommand.capacity(model), FunctionsCommand.utilization(model));
        }
        if (table.isEmpty()) {
            out.println("no functions deployed");
        } else {
            table.print(out);
        }
        out.flush();
    }
}

package dev.ferry.cli.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.CliException;
import dev.ferry.cli.client.GatewayClient;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.StringJoiner;

/** The demo's one live line: phase, elapsed time, rate, lag, replicas and cost so far, from the gateway's API. */
final class DemoProgress {

    private final GatewayClient client;
    private final DemoLoad load;
    private final PrintWriter out;
    private long lastBacklog;

    DemoProgress(GatewayClient client, DemoLoad load, PrintWriter out) {
        this.client = client;
        this.load = load;
        this.out = out;
    }

    void tick(Instant began, String phase) {
        long completed = load.functions.values().stream().mapToLong(DemoLoad.FunctionLoad::drainCompleted).sum();
        StringJoiner lag = new StringJoiner(" ");
        StringJoiner replicas = new StringJoiner(" ");
        long backlog = 0;
        for (JsonNode fn : scaling().path("functions")) {
            String name = fn.path("function").asText();
            if (!DemoCommand.functions().contains(name)) {
                continue;
            }
            long functionLag = fn.path("lag").asLong(0);
            backlog += functionLag;
            lag.add(name + "=" + functionLag);
            replicas.add(name + "=" + (fn.hasNonNull("replicas") ? fn.get("replicas").asText() : "?"));
        }
        lastBacklog = backlog;
        BigDecimal cost = BigDecimal.ZERO;
        for (JsonNode r : usageSince(began).path("records")) {
            cost = cost.add(new BigDecimal(r.path("cost").asText("0")));
        }
        String line = String.format("[%-7s %3ds] %4d calls/s | lag %s | replicas %s | billed so far $%s", phase,
                Duration.between(began, Instant.now()).toSeconds(), completed, lag, replicas, cost.toPlainString());
        out.print("\r" + line + "   ");
        out.flush();
    }

    /** The total lag of the demo's functions at the last tick. */
    long backlog() {
        return lastBacklog;
    }

    JsonNode usageSince(Instant began) {
        try {
            return client.json("GET", "/v1/usage?from="
                    + URLEncoder.encode(began.minusSeconds(60).toString(), StandardCharsets.UTF_8), null);
        } catch (CliException e) {
            return empty(); // metering not answering yet: nothing billed to show this second
        }
    }

    private JsonNode scaling() {
        try {
            return client.json("GET", "/v1/scaling", null);
        } catch (CliException e) {
            return empty(); // the autoscaler has not answered yet: nothing to show this second
        }
    }

    private static JsonNode empty() {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
}

package dev.ferry.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.Table;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry trigger create|list|describe|pause|resume|delete}: triggers run a function on every record of your
 * existing topics (DESIGN, "Triggers"; issue 14), through {@code /v1/triggers}.
 */
@Command(name = "trigger", mixinStandardHelpOptions = true,
        description = "Run a function on every record of your Kafka topics: create, list, describe, pause, resume "
                + "and delete triggers.",
        subcommands = {TriggerCommand.Create.class, TriggerCommand.ListTriggers.class, TriggerCommand.Describe.class,
            TriggerCommand.Pause.class, TriggerCommand.Resume.class, TriggerCommand.Delete.class})
public final class TriggerCommand implements Callable<Integer> {

    /** The fields of TriggerSpec a PUT takes, in the order a user reads them. */
    static final List<String> SPEC_FIELDS = List.of("function", "topics", "group", "startingPosition",
            "startingTimestamp", "format", "batchSize", "batchWindowMs", "filter", "ordering", "destination",
            "onFailure", "maxRecordAgeMs", "bisectOnError", "enabled");

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    static String path(String name) {
        return "/v1/triggers/" + GatewayClient.encode(name);
    }

    /** {@code orders, payments -> echo -> orders-enriched}. */
    static String route(JsonNode trigger) {
        List<String> topics = new ArrayList<>();
        trigger.path("topics").forEach(t -> topics.add(t.asText()));
        String destination = trigger.hasNonNull("destination") ? " -> " + trigger.get("destination").asText() : "";
        return String.join(", ", topics) + " -> " + trigger.path("function").asText() + destination;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a trigger, or replace the one of that name. Unset options keep the defaults.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GatewayOptions gateway;

        @Parameters(index = "0", description = "Trigger name: a-z, 0-9 and '-', up to 63 characters.")
        String name;

        @Option(names = "--function", required = true, description = "The function to run (one of yours).")
        String function;

        @Option(names = "--topic", required = true, split = ",",
                description = "Source topic; repeatable (or comma-separated). It must exist.")
        List<String> topics;

        @Option(names = "--destination", description = "Topic each output is written to (created when missing).")
        String destination;

        @Option(names = "--on-failure",
                description = "Topic of records that failed for good (default: the platform's DLQ, ferry.dlq).")
        String onFailure;

        @Option(names = "--format", description = "How record values are decoded: BYTES (default), STRING, JSON, AVRO.")
        String format;

        @Option(names = "--ordering",
                description = "PARTITION (default: in offset order per partition), KEY (in order per key) or NONE "
                        + "(share group, at least once).")
        String ordering;

        @Option(names = "--batch-size", description = "Records per invocation, 1..10000 (default 1).")
        Integer batchSize;

        @Option(names = "--batch-window-ms", description = "How long a batch may wait to fill, 0..300000 ms.")
        Integer batchWindowMs;

        @Option(names = "--filter",
                description = "JSON event pattern; only matching records run, e.g. '{\"value\": {\"status\": [\"paid\"]}}'.")
        String filter;

        @Option(names = "--starting-position", description = "Where a new trigger starts: LATEST (default), EARLIEST "
                + "or TIMESTAMP (with --starting-timestamp).")
        String startingPosition;

        @Option(names = "--starting-timestamp", description = "ISO-8601 instant (or epoch ms) to start from; implies "
                + "--starting-position TIMESTAMP.")
        String startingTimestamp;

        @Option(names = "--max-record-age-ms", description = "Records older than this go to the failure topic.")
        Long maxRecordAgeMs;

        @Option(names = "--bisect-on-error", description = "Split a failing batch until the failing record is alone.")
        boolean bisectOnError;

        @Option(names = "--disabled", description = "Create it paused.")
        boolean disabled;

        @Option(names = "--group", description = "Consumer group (default: ferry-trigger.<tenant>.<name>).")
        String group;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("function", function);
            body.put("topics", topics);
            putIfSet(body, "group", group);
            String position = startingPosition;
            if (startingTimestamp != null && position == null) {
                position = "TIMESTAMP";
            }
            putIfSet(body, "startingPosition", upper(position));
            putIfSet(body, "startingTimestamp", startingTimestamp);
            putIfSet(body, "format", upper(format));
            putIfSet(body, "batchSize", batchSize);
            putIfSet(body, "batchWindowMs", batchWindowMs);
            putIfSet(body, "filter", filter);
            putIfSet(body, "ordering", upper(ordering));
            putIfSet(body, "destination", destination);
            putIfSet(body, "onFailure", onFailure);
            putIfSet(body, "maxRecordAgeMs", maxRecordAgeMs);
            if (bisectOnError) {
                body.put("bisectOnError", true);
            }
            if (disabled) {
                body.put("enabled", false);
            }
            HttpResponse<byte[]> response = put(gateway.client(), name, body);
            JsonNode trigger = GatewayClient.parse(response.body());
            spec.commandLine().getOut().printf("%s trigger %s: %s (%s, %s%s)%n",
                    response.statusCode() == 201 ? "created" : "updated", name, route(trigger),
                    trigger.path("format").asText(), trigger.path("ordering").asText(),
                    trigger.path("enabled").asBoolean(true) ? "" : ", paused");
            return 0;
        }

        private static String upper(String value) {
            return value == null ? null : value.toUpperCase(Locale.ROOT);
        }

        private static void putIfSet(Map<String, Object> body, String field, Object value) {
            if (value != null) {
                body.put(field, value);
            }
        }
    }

    static HttpResponse<byte[]> put(GatewayClient client, String name, Object body) {
        byte[] bytes;
        try {
            bytes = GatewayClient.JSON.writeValueAsBytes(body);
        } catch (java.io.IOException e) {
            throw new dev.ferry.cli.CliException("cannot encode the request: " + e.getMessage());
        }
        HttpResponse<byte[]> response = client.send("PUT", path(name), bytes, Map.of("Content-Type",
                "application/json"));
        GatewayClient.requireSuccess(response);
        return response;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List your triggers with their state, lag and counts (rates per second when known).")
    static final class ListTriggers implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GatewayOptions gateway;

        @Override
        public Integer call() {
            JsonNode listed = gateway.client().json("GET", "/v1/triggers", null).path("triggers");
            Table table = new Table("NAME", "FUNCTION", "TOPICS", "DESTINATION", "ORDERING", "STATE", "LAG", "READ",
                    "FILTERED", "ANSWERED", "FAILED", "READ/S");
            for (JsonNode t : listed) {
                List<String> topics = new ArrayList<>();
                t.path("topics").forEach(topic -> topics.add(topic.asText()));
                table.row(t.path("name").asText(), t.path("function").asText(), String.join(",", topics),
                        FunctionsCommand.orDash(t, "destination"), t.path("ordering").asText(),
                        t.path("state").asText(), FunctionsCommand.orDash(t, "lag"), t.path("read").asText(),
                        t.path("filtered").asText(), t.path("answered").asText(), t.path("failed").asText(),
                        FunctionsCommand.decimal(t.path("rates"), "read"));
            }
            if (table.isEmpty()) {
                spec.commandLine().getOut().println("no triggers (create one with `ferry trigger create NAME "
                        + "--function echo --topic TOPIC`)");
            } else {
                table.print(spec.commandLine().getOut());
                spec.commandLine().getOut().println(COUNTED_SINCE_NOTE);
            }
            return 0;
        }
    }

    /**
     * What the counts are: sums of the fresh replicas' own totals, each since that replica started (ingest's
     * TriggerStatusBoard), so they start again at 0 when the replicas do (pause and resume, a restart) and drop when a replica is removed
     * (session 12 tester). Kept
     * cumulative they would need a store of their own; saying so is the honest answer (tester's report). READ counts
     * records, not fetches (TriggerCounters; tester 10, finding 7c): list and describe say both the same way.
     */
    static final String COUNTED_SINCE = "the current replicas started (0 again after pause/resume or a restart; "
            + "lower when the autoscaler removes a replica); read counts a record once, however often it is fetched "
            + "again";
    static final String COUNTED_SINCE_NOTE = "(READ, FILTERED, ANSWERED and FAILED count since " + COUNTED_SINCE + ")";

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show one trigger: its settings, state, lag, and counts with rates per second.")
    static final class Describe implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GatewayOptions gateway;

        @Parameters(index = "0", description = "Trigger name.")
        String name;

        @Option(names = "--json", description = "Print the gateway's JSON as it is.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JsonNode t = gateway.client().json("GET", path(name), null);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(GatewayClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(t));
                return 0;
            }
            Map<String, String> lines = new LinkedHashMap<>();
            lines.put("name", t.path("name").asText());
            lines.put("route", route(t));
            for (String field : SPEC_FIELDS) {
                if (!field.equals("function") && !field.equals("topics") && !field.equals("destination")) {
                    lines.put(field, t.hasNonNull(field) ? t.get(field).asText() : defaultOf(field));
                }
            }
            lines.put("state", t.path("state").asText() + (t.hasNonNull("error") ? " (" + t.get("error").asText()
                    + ")" : ""));
            lines.put("lag", t.hasNonNull("lag") ? t.get("lag").asText() : "unknown");
            lines.put("replicas", t.path("replicas").asText());
            lines.put("counted since", COUNTED_SINCE);
            for (String count : List.of("read", "filtered", "answered", "failed")) {
                JsonNode rates = t.path("rates");
                lines.put(count, t.path(count).asText() + (rates.hasNonNull(count)
                        ? " (" + FunctionsCommand.decimal(rates, count) + "/s)" : ""));
            }
            lines.put("updatedAt", t.path("updatedAt").asText());
            lines.forEach((label, value) -> out.printf("%-18s %s%n", label + ":", value));
            out.flush();
            return 0;
        }

        private static String defaultOf(String field) {
            return switch (field) {
                case "onFailure" -> "- (the platform's DLQ)";
                default -> "-";
            };
        }
    }

    /** Pause and resume: the trigger as it is, with {@code enabled} set. */
    abstract static class SetEnabled implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GatewayOptions gateway;

        @Parameters(index = "0", description = "Trigger name.")
        String name;

        abstract boolean enabled();

        @Override
        public Integer call() {
            GatewayClient client = gateway.client();
            JsonNode current = client.json("GET", path(name), null);
            ObjectNode body = GatewayClient.JSON.createObjectNode();
            for (String field : SPEC_FIELDS) {
                if (current.has(field)) {
                    body.set(field, current.get(field));
                }
            }
            body.put("enabled", enabled());
            put(client, name, body);
            spec.commandLine().getOut().println((enabled() ? "resumed" : "paused") + " trigger " + name);
            return 0;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Stop running the function; the trigger keeps its place in the source topics.")
    static final class Pause extends SetEnabled {
        @Override
        boolean enabled() {
            return false;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Run a paused trigger again, from where it stopped.")
    static final class Resume extends SetEnabled {
        @Override
        boolean enabled() {
            return true;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a trigger.")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GatewayOptions gateway;

        @Parameters(index = "0", description = "Trigger name.")
        String name;

        @Override
        public Integer call() {
            gateway.client().json("DELETE", path(name), null);
            spec.commandLine().getOut().println("deleted trigger " + name);
            return 0;
        }
    }
}

package dev.ferry.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.CliException;
import dev.ferry.cli.Durations;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ferry deploy NAME ...}: deploys or updates a function. The HTTP API's {@code PUT /v1/functions/{name}} is a
 * full replacement (fields left out take the defaults, docs/design.md section "HTTP API"); this command merges
 * instead: it first reads the current spec ({@code GET /v1/functions/{name}}) and sends it back with only the
 * options given changed, so updating one option of an ORDERED function with 12 partitions needs neither
 * {@code --delivery} nor {@code --partitions} restated. A new function (404) gets the defaults for options left out.
 * Between the read and the write another deployment may land; the last write wins, as with the PUT itself.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Deploy a new function, or update an existing one.",
                "New function: options left out take the platform's defaults (--handler is required).",
                "Existing function: options left out keep the function's current values; --env, when given, "
                        + "replaces the whole environment."})
public final class DeployCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", description = "Function name: a-z, 0-9 and '-', up to 63 characters.")
    String name;

    @Option(names = "--runtime", description = "JAVA, HTTP or PROCESS (default for a new function: JAVA).")
    String runtime;

    @Option(names = "--handler",
            description = "Class name or built-in (echo, sleep, wordcount, sha256, fail) for JAVA; URL for HTTP; "
                    + "command line for PROCESS.")
    String handler;

    @Option(names = "--memory", description = "Memory in MB, 128..10240 (billing: memory x time).")
    Integer memoryMb;

    @Option(names = "--timeout", description = "Timeout, e.g. 30s, 500ms, 2m (at most 15m).")
    String timeout;

    @Option(names = "--concurrency", description = "In-flight invocations per replica.")
    Integer concurrency;

    @Option(names = "--min-replicas", description = "Fewest replicas, 0 allows scale to zero.")
    Integer minReplicas;

    @Option(names = "--max-replicas", description = "Most replicas.")
    Integer maxReplicas;

    @Option(names = "--partitions", description = "Partitions of the function's work topic.")
    Integer partitions;

    @Option(names = "--delivery", description = "QUEUE (share group, default) or ORDERED (per-key order).")
    String delivery;

    @Option(names = "--target-lag", description = "Backlog per replica the autoscaler aims for.")
    Integer targetLag;

    @Option(names = "--max-attempts", description = "Attempts before an invocation goes to the DLQ.")
    Integer maxAttempts;

    @Option(names = "--partition-strategy",
            description = "key-affinity, round-robin, weighted-random or least-lag (default: by key, else least-lag).")
    String partitionStrategy;

    @Option(names = "--env", description = "Environment for the function, KEY=VALUE; repeatable.")
    Map<String, String> env;

    @Override
    public Integer call() {
        GatewayClient client = gateway.client();
        String path = "/v1/functions/" + GatewayClient.encode(name);
        Map<String, Object> body = current(client, path);
        if (body.isEmpty() && handler == null) {
            throw new CliException("--handler is required to deploy a new function (" + name + " does not exist)", 2);
        }
        if (runtime != null || body.isEmpty()) {
            body.put("runtime", (runtime == null ? "JAVA" : runtime).toUpperCase(java.util.Locale.ROOT));
        }
        putIfSet(body, "handler", handler);
        putIfSet(body, "memoryMb", memoryMb);
        if (timeout != null) {
            body.put("timeoutMs", Durations.parseMillis("--timeout", timeout));
        }
        putIfSet(body, "concurrency", concurrency);
        putIfSet(body, "minReplicas", minReplicas);
        putIfSet(body, "maxReplicas", maxReplicas);
        putIfSet(body, "partitions", partitions);
        if (delivery != null) {
            body.put("delivery", delivery.toUpperCase(java.util.Locale.ROOT));
        }
        putIfSet(body, "targetLagPerReplica", targetLag);
        putIfSet(body, "maxAttempts", maxAttempts);
        putIfSet(body, "partitionStrategy", partitionStrategy);
        putIfSet(body, "env", env);

        JsonNode deployed = client.json("PUT", path, body);
        spec.commandLine().getOut().printf("deployed %s: %s %s, %s MB, timeout %s ms, %s%n", name,
                text(deployed, "runtime", "?"), text(deployed, "handler", "?"),
                text(deployed, "memoryMb", "?"), text(deployed, "timeoutMs", "?"), text(deployed, "delivery", "?"));
        return 0;
    }

    /**
     * The function's current spec as a PUT body (the fields {@code PUT} accepts, nulls left out), or an empty map
     * when there is no such function (404). Other errors end the command.
     */
    static Map<String, Object> current(GatewayClient client, String path) {
        HttpResponse<byte[]> response = client.send("GET", path, null, Map.of("Accept", "application/json"));
        Map<String, Object> body = new LinkedHashMap<>();
        if (response.statusCode() == 404) {
            return body;
        }
        GatewayClient.requireSuccess(response);
        JsonNode spec = GatewayClient.parse(response.body());
        for (String field : SPEC_FIELDS) {
            JsonNode value = spec.get(field);
            if (value != null && !value.isNull()) {
                body.put(field, value);
            }
        }
        return body;
    }

    /** The fields of a FunctionSpec a deployment states (not name, tenant or updatedAt, which the gateway sets). */
    static final List<String> SPEC_FIELDS = List.of("runtime", "handler", "memoryMb", "timeoutMs", "concurrency",
            "minReplicas", "maxReplicas", "partitions", "delivery", "targetLagPerReplica", "maxAttempts", "env",
            "partitionStrategy");

    private static void putIfSet(Map<String, Object> body, String field, Object value) {
        if (value != null) {
            body.put(field, value);
        }
    }

    static String text(JsonNode node, String field, String fallback) {
        return node.hasNonNull(field) ? node.get(field).asText() : fallback;
    }
}

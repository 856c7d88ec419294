package dev.ferry.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.Durations;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ferry deploy NAME ...}: deploys or updates a function ({@code PUT /v1/functions/{name}}). */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Deploy or update a function. Unset options keep the platform's defaults.")
public final class DeployCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", description = "Function name: a-z, 0-9 and '-', up to 63 characters.")
    String name;

    @Option(names = "--runtime", defaultValue = "JAVA", description = "JAVA, HTTP or PROCESS (default: ${DEFAULT-VALUE}).")
    String runtime;

    @Option(names = "--handler", required = true,
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
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("runtime", runtime.toUpperCase(java.util.Locale.ROOT));
        body.put("handler", handler);
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

        JsonNode deployed = gateway.client().json("PUT", "/v1/functions/" + GatewayClient.encode(name), body);
        spec.commandLine().getOut().printf("deployed %s: %s %s, %s MB, timeout %s ms, %s%n", name,
                text(deployed, "runtime", runtime), text(deployed, "handler", handler),
                text(deployed, "memoryMb", "?"), text(deployed, "timeoutMs", "?"), text(deployed, "delivery", "?"));
        return 0;
    }

    private static void putIfSet(Map<String, Object> body, String field, Object value) {
        if (value != null) {
            body.put(field, value);
        }
    }

    static String text(JsonNode node, String field, String fallback) {
        return node.hasNonNull(field) ? node.get(field).asText() : fallback;
    }
}

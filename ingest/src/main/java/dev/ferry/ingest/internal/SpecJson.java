package dev.ferry.ingest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.Runtime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * FunctionSpec as the HTTP API shows it: the Avro fields but {@code tenant}, which always comes from the API key.
 * Parsing collects every problem at once, so a user fixes a bad deployment in one round.
 */
public final class SpecJson {

    private static final Set<String> INT_FIELDS = Set.of("memoryMb", "timeoutMs", "concurrency", "minReplicas",
            "maxReplicas", "partitions", "targetLagPerReplica", "maxAttempts");
    private static final Set<String> KNOWN = Set.of("name", "runtime", "handler", "memoryMb", "timeoutMs",
            "concurrency", "minReplicas", "maxReplicas", "partitions", "delivery", "targetLagPerReplica",
            "maxAttempts", "env", "partitionStrategy", "updatedAt");
    /** The fields {@code GET /v1/functions/{name}} adds to the spec ({@code FunctionRoutes}): ignored in a PUT. */
    static final Set<String> STATUS = Set.of("replicas", "desiredReplicas", "lag", "model");

    /**
     * The outcome of parsing: a spec, or the list of everything wrong with the input; and the runtime and handler
     * the body names, valid or not (null when absent or of the wrong type), so that the gateway's checks of the
     * handler (its egress) join the list of a spec with other problems.
     */
    public record Parsed(FunctionSpec spec, List<String> errors, Runtime runtime, String handler) {
        Parsed(FunctionSpec spec, List<String> errors) {
            this(spec, errors, null, null);
        }

        public boolean valid() {
            return errors.isEmpty();
        }
    }

    private SpecJson() {
    }

    /**
     * Reads a deployment body for {@code tenant}/{@code name}; fields left out take docs/design.md's defaults.
     *
     * @param strategyClasses the user partition strategies functions may name
     *     ({@code dispatcher.partition.strategy.classes})
     */
    public static Parsed parse(ObjectMapper mapper, byte[] body, String tenant, String name,
            boolean processRuntimeEnabled, List<String> strategyClasses) {
        JsonBody read = JsonBody.read(mapper, body, "FunctionSpec", KNOWN, STATUS, tenant);
        if (read.root() == null) {
            return new Parsed(null, read.errors());
        }
        JsonNode root = read.root();
        List<String> errors = read.errors();
        if (root.hasNonNull("name") && !root.get("name").isTextual()) {
            errors.add("name must be a string");
        } else if (root.hasNonNull("name") && !name.equals(root.get("name").asText())) {
            errors.add("name in the body ('" + root.get("name").asText() + "') differs from the path ('" + name + "')");
        }
        Runtime runtime = enumField(root, "runtime", Runtime.class, null, errors);
        if (runtime == null && !root.hasNonNull("runtime")) {
            errors.add("runtime is required: JAVA, HTTP or PROCESS");
        }
        String handler = JsonBody.text(root, "handler", errors);
        if (handler == null && !root.hasNonNull("handler")) {
            errors.add("handler is required: a class name or built-in name (JAVA), a URL (HTTP) or a command "
                    + "(PROCESS)");
        }
        // Avro builders refuse nulls in required fields; placeholders keep collecting errors past a missing one.
        FunctionSpec.Builder builder = FunctionSpecs.builder(tenant, name, runtime == null ? Runtime.JAVA : runtime,
                handler == null ? "" : handler);
        for (String field : INT_FIELDS) {
            Integer value = JsonBody.intField(root, field, FunctionSpecs.INT_RANGES.get(field), errors);
            if (value != null) {
                setInt(builder, field, value);
            }
        }
        Delivery delivery = enumField(root, "delivery", Delivery.class, Delivery.QUEUE, errors);
        builder.setDelivery(delivery == null ? Delivery.QUEUE : delivery);
        builder.setEnv(envField(root, errors));
        builder.setPartitionStrategy(root.hasNonNull("partitionStrategy")
                ? JsonBody.text(root, "partitionStrategy", errors) : null);
        builder.setUpdatedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)); // as stored: Avro keeps millis
        FunctionSpec spec = builder.build();
        if (errors.isEmpty()) {
            List<String> invalid = FunctionSpecs.validate(spec, processRuntimeEnabled, strategyClasses);
            return new Parsed(invalid.isEmpty() ? spec : null, invalid, runtime, handler);
        }
        // The spec's rules still speak about the fields that parsed (a tester: memoryMb "lots" hid timeoutMs -1), but
        // not about a placeholder. Without a runtime the handler is checked only for what every runtime asks.
        spec.setRuntime(runtime);
        Set<String> placeholders = new HashSet<>();
        for (String field : KNOWN) {
            // name comes from the path and env keeps the entries that parsed: neither holds a placeholder
            if (!field.equals("name") && !field.equals("env")
                    && errors.stream().anyMatch(e -> e.startsWith(field + " "))) {
                placeholders.add(field);
            }
        }
        JsonBody.addRuleProblems(errors, FunctionSpecs.validate(spec, processRuntimeEnabled, strategyClasses),
                placeholders);
        return new Parsed(null, errors, runtime, handler);
    }

    public static ObjectNode toJson(ObjectMapper mapper, FunctionSpec spec) {
        ObjectNode node = mapper.createObjectNode();
        node.put("name", spec.getName());
        node.put("tenant", spec.getTenant());
        node.put("runtime", spec.getRuntime().name());
        node.put("handler", spec.getHandler());
        node.put("memoryMb", spec.getMemoryMb());
        node.put("timeoutMs", spec.getTimeoutMs());
        node.put("concurrency", spec.getConcurrency());
        node.put("minReplicas", spec.getMinReplicas());
        node.put("maxReplicas", spec.getMaxReplicas());
        node.put("partitions", spec.getPartitions());
        node.put("delivery", spec.getDelivery().name());
        node.put("targetLagPerReplica", spec.getTargetLagPerReplica());
        node.put("maxAttempts", spec.getMaxAttempts());
        ObjectNode env = node.putObject("env");
        new TreeMap<>(spec.getEnv()).forEach(env::put);
        node.put("partitionStrategy", spec.getPartitionStrategy());
        node.put("updatedAt", spec.getUpdatedAt() == null ? null : spec.getUpdatedAt().toString());
        return node;
    }

    private static void setInt(FunctionSpec.Builder builder, String field, int value) {
        switch (field) {
            case "memoryMb" -> builder.setMemoryMb(value);
            case "timeoutMs" -> builder.setTimeoutMs(value);
            case "concurrency" -> builder.setConcurrency(value);
            case "minReplicas" -> builder.setMinReplicas(value);
            case "maxReplicas" -> builder.setMaxReplicas(value);
            case "partitions" -> builder.setPartitions(value);
            case "targetLagPerReplica" -> builder.setTargetLagPerReplica(value);
            case "maxAttempts" -> builder.setMaxAttempts(value);
            default -> throw new IllegalArgumentException("not an integer field: " + field);
        }
    }

    /** {@link JsonBody#enumField}, with {@code fallback} when the field is left out. */
    private static <E extends Enum<E>> E enumField(JsonNode root, String field, Class<E> type, E fallback,
            List<String> errors) {
        E value = JsonBody.enumField(root, field, type, errors);
        return value == null && !root.hasNonNull(field) ? fallback : value;
    }

    private static Map<String, String> envField(JsonNode root, List<String> errors) {
        JsonNode node = root.get("env");
        Map<String, String> env = new HashMap<>();
        if (node == null || node.isNull()) {
            return env;
        }
        if (!node.isObject()) {
            errors.add("env must be an object of string values");
            return env;
        }
        node.fields().forEachRemaining(e -> {
            if (e.getValue().isTextual()) {
                env.put(e.getKey(), e.getValue().asText());
            } else {
                errors.add("env." + e.getKey() + " must be a string");
            }
        });
        return env;
    }
}

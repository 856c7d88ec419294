package dev.ferry.ingest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.core.http.HttpError;
import dev.ferry.core.http.Timestamps;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.EventPattern;
import dev.ferry.core.triggers.TriggerSpecs;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * TriggerSpec as the HTTP API shows it (DESIGN, "Triggers"; issue 14): the fields of {@code TriggerSpec.avsc} with
 * their names, but {@code tenant}, which always comes from the API key. Parsing collects every problem at once, like
 * {@link SpecJson} does for functions.
 *
 * <p>Shapes: {@code topics} an array of strings; {@code startingTimestamp} an ISO-8601 instant or epoch milliseconds
 * (answered as ISO-8601); {@code filter} a JSON event pattern, given as an object or as a string holding one
 * (stored and answered as a string); enums by name, case-insensitive; {@code updatedAt} is set by the gateway and
 * ignored when sent.
 */
public final class TriggerJson {

    /** Every field a body may hold. */
    static final Set<String> KNOWN = Set.of("name", "function", "topics", "group", "startingPosition",
            "startingTimestamp", "format", "batchSize", "batchWindowMs", "filter", "ordering", "destination",
            "onFailure", "maxRecordAgeMs", "bisectOnError", "enabled", "updatedAt");
    /** The fields {@code GET /v1/triggers/{name}} adds to the spec ({@code TriggerRoutes}): ignored in a PUT. */
    static final Set<String> STATUS = Set.of("state", "lag", "read", "filtered", "answered", "failed", "rates",
            "replicas", "error");

    /** The outcome of parsing: a spec, or the list of everything wrong with the input. */
    public record Parsed(TriggerSpec spec, List<String> errors) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    private TriggerJson() {
    }

    /** Reads a trigger body for {@code tenant}/{@code name}; fields left out take DESIGN's defaults. */
    public static Parsed parse(ObjectMapper mapper, byte[] body, String tenant, String name, TopicCatalog topics) {
        JsonBody read = JsonBody.read(mapper, body, "TriggerSpec", KNOWN, STATUS, tenant);
        if (read.root() == null) {
            return new Parsed(null, read.errors());
        }
        JsonNode root = read.root();
        List<String> errors = read.errors();
        String bodyName = JsonBody.text(root, "name", errors);
        if (bodyName != null && !bodyName.equals(name)) {
            errors.add("name in the body ('" + bodyName + "') differs from the path ('" + name + "')");
        }
        String function = JsonBody.text(root, "function", errors);
        if (function == null && !root.hasNonNull("function")) {
            errors.add("function is required: the name of one of your functions");
        }
        List<String> sources = topics(root, errors);
        // Avro builders refuse nulls in required fields; placeholders keep collecting errors past a missing one.
        TriggerSpec.Builder builder = TriggerSpecs.builder(tenant, name, function == null ? "" : function, sources);
        builder.setGroup(JsonBody.text(root, "group", errors));
        StartingPosition position = JsonBody.enumField(root, "startingPosition", StartingPosition.class, errors);
        if (position != null) {
            builder.setStartingPosition(position);
        }
        builder.setStartingTimestamp(instant(root, "startingTimestamp", errors));
        RecordFormat format = JsonBody.enumField(root, "format", RecordFormat.class, errors);
        if (format != null) {
            builder.setFormat(format);
        }
        Integer batchSize = JsonBody.intField(root, "batchSize", TriggerSpecs.INT_RANGES.get("batchSize"), errors);
        if (batchSize != null) {
            builder.setBatchSize(batchSize);
        }
        Integer batchWindowMs = JsonBody.intField(root, "batchWindowMs",
                TriggerSpecs.INT_RANGES.get("batchWindowMs"), errors);
        if (batchWindowMs != null) {
            builder.setBatchWindowMs(batchWindowMs);
        }
        builder.setFilter(filter(mapper, root, errors));
        TriggerOrdering ordering = JsonBody.enumField(root, "ordering", TriggerOrdering.class, errors);
        if (ordering != null) {
            builder.setOrdering(ordering);
        }
        builder.setDestination(JsonBody.text(root, "destination", errors));
        builder.setOnFailure(JsonBody.text(root, "onFailure", errors));
        builder.setMaxRecordAgeMs(JsonBody.longField(root, "maxRecordAgeMs",
                TriggerSpecs.INT_RANGES.get("maxRecordAgeMs"), errors));
        Boolean bisect = bool(root, "bisectOnError", errors);
        if (bisect != null) {
            builder.setBisectOnError(bisect);
        }
        Boolean enabled = bool(root, "enabled", errors);
        if (enabled != null) {
            builder.setEnabled(enabled);
        }
        builder.setUpdatedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)); // as stored: Avro keeps millis
        TriggerSpec spec = builder.build();
        List<String> invalid = TriggerSpecs.validate(spec, topics);
        if (errors.isEmpty()) {
            return invalid.isEmpty() ? new Parsed(spec, List.of()) : new Parsed(null, invalid);
        }
        // The spec's rules still speak about the fields that parsed (a bad filter beside a bad batchSize), but not
        // about one that did not: its placeholder would only repeat the problem in other words.
        JsonBody.addRuleProblems(errors, invalid, Set.of());
        return new Parsed(null, errors);
    }

    /** The spec as JSON: every field of {@code TriggerSpec.avsc}, null ones included, instants as ISO-8601. */
    public static ObjectNode toJson(ObjectMapper mapper, TriggerSpec spec) {
        ObjectNode node = mapper.createObjectNode();
        node.put("name", spec.getName());
        node.put("tenant", spec.getTenant());
        node.put("function", spec.getFunction());
        ArrayNode sources = node.putArray("topics");
        spec.getTopics().forEach(sources::add);
        node.put("group", spec.getGroup());
        node.put("startingPosition", spec.getStartingPosition().name());
        node.put("startingTimestamp", spec.getStartingTimestamp() == null ? null
                : spec.getStartingTimestamp().toString());
        node.put("format", spec.getFormat().name());
        node.put("batchSize", spec.getBatchSize());
        node.put("batchWindowMs", spec.getBatchWindowMs());
        node.put("filter", spec.getFilter());
        node.put("ordering", spec.getOrdering().name());
        node.put("destination", spec.getDestination());
        node.put("onFailure", spec.getOnFailure());
        node.put("maxRecordAgeMs", spec.getMaxRecordAgeMs());
        node.put("bisectOnError", spec.getBisectOnError());
        node.put("enabled", spec.getEnabled());
        node.put("updatedAt", spec.getUpdatedAt() == null ? null : spec.getUpdatedAt().toString());
        return node;
    }

    private static List<String> topics(JsonNode root, List<String> errors) {
        JsonNode node = root.get("topics");
        if (node == null || node.isNull()) {
            errors.add("topics is required: an array of the source topics' names");
            return List.of();
        }
        if (!node.isArray()) {
            errors.add("topics must be an array of topic names");
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (JsonNode element : node) {
            if (element.isTextual()) {
                names.add(element.asText());
            } else {
                errors.add("topics must hold only strings, got " + element.getNodeType().name().toLowerCase(
                        Locale.ROOT));
            }
        }
        return names;
    }

    /**
     * The filter as stored: a string holding a JSON event pattern. An object is taken as the pattern itself; either
     * way {@link EventPattern#parse} must accept it ({@link TriggerSpecs#validate} checks, its message saying what
     * and where the problem is).
     */
    private static String filter(ObjectMapper mapper, JsonNode root, List<String> errors) {
        JsonNode node = root.get("filter");
        if (node == null || node.isNull()) {
            return null;
        }
        String pattern;
        if (node.isObject()) {
            try {
                pattern = mapper.writeValueAsString(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("A JSON tree always serializes", e);
            }
        } else if (node.isTextual()) {
            pattern = node.asText();
        } else {
            errors.add("filter must be a JSON event pattern: an object, or a string holding one");
            return null;
        }
        return pattern; // TriggerSpecs.validate parses it as an EventPattern, with the spec's other rules
    }

    private static Boolean bool(JsonNode root, String field, List<String> errors) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isBoolean()) {
            errors.add(field + " must be true or false");
            return null;
        }
        return node.booleanValue();
    }

    private static Instant instant(JsonNode root, String field, List<String> errors) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() && !node.isIntegralNumber()) {
            errors.add(field + " must be an ISO-8601 instant or epoch milliseconds");
            return null;
        }
        try {
            return Timestamps.parse(field, node.asText());
        } catch (HttpError e) {
            errors.add(e.getMessage());
            return null;
        }
    }
}

package dev.ferry.core.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.core.FieldRange;
import dev.ferry.core.FunctionRef;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.schemas.RecordFormat;
import dev.ferry.schemas.StartingPosition;
import dev.ferry.schemas.TriggerOrdering;
import dev.ferry.schemas.TriggerSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.internals.Topic;

/**
 * Defaults and validation of {@link TriggerSpec} (DESIGN, "Triggers"; issue 14), shared by the gateway, the command
 * line and the worker. What can be checked without a broker is checked here; whether the topics exist and whether
 * the tenant may use them is the gateway's part.
 */
public final class TriggerSpecs {

    public static final int MAX_BATCH_SIZE = 10_000;
    public static final int MAX_BATCH_WINDOW_MS = 300_000;
    /**
     * The range of each integer field, as {@link #validate} checks it; a JSON parser names it for a number beyond
     * the field's type. {@code maxRecordAgeMs} may also be left out, for no limit.
     */
    public static final Map<String, FieldRange> INT_RANGES = Map.of(
            "batchSize", new FieldRange(1, MAX_BATCH_SIZE),
            "batchWindowMs", new FieldRange(0, MAX_BATCH_WINDOW_MS),
            "maxRecordAgeMs", new FieldRange(1, Long.MAX_VALUE));
    /** More source topics than anyone lists by hand; keeps a typo from subscribing a group to thousands. */
    public static final int MAX_TOPICS = 100;
    /** Kafka's own limit on group ids is the request size; ours keeps names readable in every tool. */
    public static final int MAX_GROUP_LENGTH = 249;
    /** The fields of the record document a filter is matched against ({@link SourceDecoder#document}). */
    public static final List<String> DOCUMENT_FIELDS = List.of("topic", "partition", "offset", "timestamp", "key",
            "value", "headers");

    private static final ObjectMapper FILTER_READER = new ObjectMapper();

    private TriggerSpecs() {
    }

    /** A builder with every default of DESIGN ("Triggers") and {@code updatedAt} now. */
    public static TriggerSpec.Builder builder(String tenant, String name, String function, List<String> topics) {
        return TriggerSpec.newBuilder()
                .setTenant(tenant)
                .setName(name)
                .setFunction(function)
                .setTopics(List.copyOf(topics))
                .setGroup(null)
                .setStartingPosition(StartingPosition.LATEST)
                .setStartingTimestamp(null)
                .setFormat(RecordFormat.BYTES)
                .setBatchSize(1)
                .setBatchWindowMs(0)
                .setFilter(null)
                .setOrdering(TriggerOrdering.PARTITION)
                .setDestination(null)
                .setOnFailure(null)
                .setMaxRecordAgeMs(null)
                .setBisectOnError(false)
                .setEnabled(true)
                .setUpdatedAt(Instant.now());
    }

    public static TriggerRef ref(TriggerSpec spec) {
        return new TriggerRef(spec.getTenant(), spec.getName());
    }

    /** The function the trigger runs. */
    public static FunctionRef function(TriggerSpec spec) {
        return new FunctionRef(spec.getTenant(), spec.getFunction());
    }

    /**
     * Every topic the spec names, in order, to its role ({@code source}, {@code destination}, {@code onFailure}); a
     * topic named twice keeps its first role. Without {@code onFailure} a trigger uses the platform's DLQ, which it
     * does not name.
     */
    public static Map<String, String> namedTopics(TriggerSpec spec) {
        Map<String, String> named = new LinkedHashMap<>();
        spec.getTopics().forEach(topic -> named.put(topic, "source"));
        if (spec.getDestination() != null) {
            named.putIfAbsent(spec.getDestination(), "destination");
        }
        if (spec.getOnFailure() != null) {
            named.putIfAbsent(spec.getOnFailure(), "onFailure");
        }
        return named;
    }

    /** The trigger's consumer (or share) group: its own {@code group}, or {@code ferry-trigger.<tenant>.<name>}. */
    public static String group(TriggerSpec spec, TopicCatalog topics) {
        return spec.getGroup() != null ? spec.getGroup() : topics.triggerGroup(ref(spec));
    }

    /** Where records that failed for good go: the trigger's {@code onFailure}, or {@code ferry.dlq}. */
    public static String onFailure(TriggerSpec spec, TopicCatalog topics) {
        return spec.getOnFailure() != null ? spec.getOnFailure() : topics.dlq();
    }

    /**
     * Every rule the spec breaks, each a sentence naming the field and the allowed values; empty when valid.
     * A {@code filter} must parse as an {@link EventPattern} (its message, prefixed {@code filter: }).
     * Topic names are checked for Kafka's syntax here; their existence and the tenant's access, by the gateway.
     * A {@code group} of its own must not start with Ferry's group prefix: a tenant could otherwise join another
     * trigger's or a worker pool's group and take its partitions.
     */
    public static List<String> validate(TriggerSpec spec, TopicCatalog topics) {
        List<String> errors = new ArrayList<>();
        if (!FunctionRef.isValidName(spec.getTenant())) {
            errors.add("tenant must match " + FunctionRef.NAME.pattern() + ", got '" + spec.getTenant() + "'");
        }
        if (!FunctionRef.isValidName(spec.getName())) {
            errors.add("name must match " + FunctionRef.NAME.pattern() + ", got '" + spec.getName() + "'");
        }
        if (!FunctionRef.isValidName(spec.getFunction())) {
            errors.add("function must name a deployed function (" + FunctionRef.NAME.pattern() + "), got '"
                    + spec.getFunction() + "'");
        }
        List<String> sources = spec.getTopics() == null ? List.of() : spec.getTopics();
        if (sources.isEmpty()) {
            errors.add("topics must name at least one source topic");
        } else if (sources.size() > MAX_TOPICS) {
            errors.add("topics must name at most " + MAX_TOPICS + " source topics, got " + sources.size());
        }
        Set<String> seen = new HashSet<>();
        for (String topic : sources) {
            topicName(errors, "topics", topic);
            if (topic != null && !seen.add(topic)) {
                errors.add("topics names '" + topic + "' twice");
            }
        }
        if (spec.getDestination() != null) {
            topicName(errors, "destination", spec.getDestination());
            if (sources.contains(spec.getDestination())) {
                errors.add("destination '" + spec.getDestination() + "' is also a source topic: every output "
                        + "would trigger the function again");
            }
        }
        if (spec.getOnFailure() != null) {
            topicName(errors, "onFailure", spec.getOnFailure());
            if (sources.contains(spec.getOnFailure())) {
                errors.add("onFailure '" + spec.getOnFailure() + "' is also a source topic");
            }
        }
        String group = spec.getGroup();
        if (group != null) {
            String own = FunctionRef.isValidName(spec.getTenant()) && FunctionRef.isValidName(spec.getName())
                    ? topics.triggerGroup(ref(spec)) : null;
            String reserved = topics.groupNamePrefix();
            if (group.isBlank() || group.length() > MAX_GROUP_LENGTH || group.chars().anyMatch(Character::isISOControl)) {
                errors.add("group must be 1 to " + MAX_GROUP_LENGTH + " characters without control characters");
            } else if (group.startsWith(reserved) && !group.equals(own)) {
                errors.add("group must not start with '" + reserved + "', which Ferry's own groups use; leave it "
                        + "out for the default " + own);
            }
        }
        if (spec.getStartingPosition() == StartingPosition.TIMESTAMP && spec.getStartingTimestamp() == null) {
            errors.add("startingTimestamp is required when startingPosition is TIMESTAMP");
        } else if (spec.getStartingPosition() != StartingPosition.TIMESTAMP && spec.getStartingTimestamp() != null) {
            errors.add("startingTimestamp is only for startingPosition TIMESTAMP, got startingPosition "
                    + spec.getStartingPosition());
        }
        range(errors, "batchSize", spec.getBatchSize());
        range(errors, "batchWindowMs", spec.getBatchWindowMs());
        if (spec.getMaxRecordAgeMs() != null && spec.getMaxRecordAgeMs() < 1) {
            errors.add("maxRecordAgeMs must be at least 1 (or left out for no limit), got " + spec.getMaxRecordAgeMs());
        }
        if (spec.getFilter() != null) {
            try {
                EventPattern.parse(spec.getFilter());
                filterFields(errors, spec);
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage().startsWith("filter") ? e.getMessage() : "filter: " + e.getMessage());
            }
        }
        return errors;
    }

    /**
     * A filter that can never match is a mistake, not a filter: every record would be skipped without a word (a
     * tester's {@code {"valu": ...}} and a value pattern on BYTES both did). The record document has fixed fields
     * ({@link #DOCUMENT_FIELDS}), and only JSON and AVRO values have fields of their own.
     */
    private static void filterFields(List<String> errors, TriggerSpec spec) {
        JsonNode pattern;
        try {
            pattern = FILTER_READER.readTree(spec.getFilter());
        } catch (java.io.IOException e) {
            return; // EventPattern.parse has said what is wrong
        }
        pattern.fieldNames().forEachRemaining(field -> {
            if (!DOCUMENT_FIELDS.contains(field)) {
                errors.add("filter: unknown field \"" + field + "\"; a record has " + String.join(", ",
                        DOCUMENT_FIELDS));
            }
        });
        JsonNode value = pattern.get("value");
        if (value != null && value.isObject() && (spec.getFormat() == RecordFormat.BYTES
                || spec.getFormat() == RecordFormat.STRING)) {
            errors.add("filter: value." + value.fieldNames().next() + " names a field of the value, but format "
                    + spec.getFormat() + " hands the value over as " + (spec.getFormat() == RecordFormat.BYTES
                    ? "base64 text" : "text") + ", which has no fields: use format JSON or AVRO");
        }
    }

    private static void topicName(List<String> errors, String field, String topic) {
        try {
            Topic.validate(topic);
        } catch (RuntimeException e) {
            errors.add(field + ": '" + topic + "' is not a legal Kafka topic name (" + e.getMessage() + ")");
        }
    }

    private static void range(List<String> errors, String field, int value) {
        FieldRange range = INT_RANGES.get(field);
        if (!range.contains(value)) {
            errors.add(range.problem(field, value));
        }
    }
}

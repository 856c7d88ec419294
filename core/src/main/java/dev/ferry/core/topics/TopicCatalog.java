package dev.ferry.core.topics;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.core.triggers.TriggerRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every topic and group name of docs/design.md, derived from the topic prefix ({@code ferry.} by default), and the
 * settings each topic is created with.
 *
 * <p>Group names derive from the prefix without its trailing dot, so two Ferry installations with different
 * prefixes can share a cluster: prefix {@code ferry.} gives {@code ferry-dispatcher},
 * {@code ferry-worker.<tenant>.<function>}, {@code ferry-autoscaler} and {@code ferry-metering}.
 */
public final class TopicCatalog {

    private static final String WORK = "work.";
    private static final String REPLIES = "replies.";
    /**
     * Retention of a gateway's reply topic: one hour, past the longest synchronous wait (a 15-minute timeout plus
     * the margin); a reply nobody read by then has no reader.
     */
    public static final long REPLY_RETENTION_MS = 60L * 60 * 1000;

    private final String prefix;
    private final String groupPrefix;
    private final TopicConfig settings;

    public TopicCatalog(FerryConfig config) {
        this.prefix = config.topicPrefix();
        this.groupPrefix = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
        this.settings = config.topics();
    }

    public String functions() {
        return prefix + "functions";
    }

    /** {@code ferry.triggers}: the compacted catalog of triggers (issue 14), keyed {@code tenant/name}. */
    public String triggers() {
        return prefix + "triggers";
    }

    /**
     * {@code ferry.trigger-status}: what each replica of a trigger's pool reports (state, lag, record counts),
     * compacted, keyed {@code tenant/name/replica}; the gateway sums a trigger's replicas.
     */
    public String triggerStatus() {
        return prefix + "trigger-status";
    }

    /**
     * {@code ferry.trigger-topics}: the topics trigger PUTs created (a missing destination or onFailure), compacted,
     * keyed by the topic's name, the value {@code <tenant>/<topic>/<topic id>} as UTF-8 text; the gateway counts
     * them in the partition budget.
     */
    public String triggerTopics() {
        return prefix + "trigger-topics";
    }

    /**
     * {@code ferry.quotas}: each gateway's load per tenant, every {@code gateway.quota.report.interval.ms}, keyed by
     * gateway id, from which every gateway takes its share of each tenant's limits (issue 15, part 3). One partition,
     * so every gateway reads the reports in the same order; retention of a minute, since only the last few
     * intervals matter.
     */
    public String quotas() {
        return prefix + "quotas";
    }

    public String invocations() {
        return prefix + "invocations";
    }

    public String results() {
        return prefix + "results";
    }

    /**
     * {@code ferry.replies.<gatewayId>}: the results of the synchronous calls one gateway waits for, copied there by
     * whoever writes them to {@code ferry.results} (issue 15, part 5), so a gateway reads only its own replies. The
     * id must be a legal part of a topic name ({@link #isValidGatewayId}).
     */
    public String replies(String gatewayId) {
        if (!isValidGatewayId(gatewayId)) {
            throw new IllegalArgumentException("Not a valid gateway id (1 to 100 of a-z, 0-9, '-', '_'): "
                    + gatewayId);
        }
        return prefix + REPLIES + gatewayId;
    }

    /**
     * {@code ferry.async-results}: copies of the results of the asynchronous calls accepted over HTTP, read by every
     * gateway (any of them may be asked {@code GET /v1/invocations/{id}}); issue 15, part 5.
     */
    public String asyncResults() {
        return prefix + "async-results";
    }

    /**
     * {@code ferry.accepted}: one small record per asynchronous call a gateway accepted (the request without its
     * payload), so which tenant owns a pending id lives in Kafka, not in one gateway's memory (issue 15, part 4).
     */
    public String accepted() {
        return prefix + "accepted";
    }

    /**
     * Whether a request's {@code replyTo} may be written: only a gateway's reply topic or the shared asynchronous
     * one, so a request produced by anyone can never make a worker write into another topic.
     */
    public boolean isReplyTopic(String topic) {
        if (topic == null) {
            return false;
        }
        if (topic.equals(asyncResults())) {
            return true;
        }
        return topic.startsWith(prefix + REPLIES) && isValidGatewayId(topic.substring(prefix.length()
                + REPLIES.length()));
    }

    /** Gateway ids name topics: 1 to 100 of {@code a-z}, {@code 0-9}, {@code -}, {@code _}. */
    public static boolean isValidGatewayId(String id) {
        return id != null && id.matches("[a-z0-9_-]{1,100}");
    }

    /**
     * A gateway's reply topic: the results' size limit, the internal codec (only its gateway reads it), and a short
     * retention ({@link #REPLY_RETENTION_MS}): a reply is read within the longest synchronous wait or never.
     */
    public TopicSpec replyTopic(String gatewayId) {
        return spec(replies(gatewayId), settings.partitions(), Map.of(
                "max.message.bytes", String.valueOf(settings.maxMessageBytes()),
                org.apache.kafka.common.config.TopicConfig.RETENTION_MS_CONFIG, String.valueOf(REPLY_RETENTION_MS)));
    }

    public String dlq() {
        return prefix + "dlq";
    }

    public String lag() {
        return prefix + "lag";
    }

    public String scaling() {
        return prefix + "scaling";
    }

    public String usage() {
        return prefix + "usage";
    }

    /**
     * {@code ferry.wakeups}: a dispatcher's note that a pool it believes at zero replicas has just been given work
     * (issue 16: the autoscaler wakes the pool at once instead of at its next lag collection). Key
     * {@code tenant/function}, no value; written in the transaction that routes the record, so it is visible
     * exactly when the work is.
     */
    public String wakeups() {
        return prefix + "wakeups";
    }

    /** {@code ferry.work.<tenant>.<function>}: one work topic per function. */
    public String work(FunctionRef function) {
        return prefix + WORK + function.tenant() + "." + function.function();
    }

    /** What every work topic's name looks like, for messages: {@code ferry.work.<tenant>.<function>}. */
    public String workPattern() {
        return prefix + WORK + "<tenant>.<function>";
    }

    /**
     * {@code ferry.retry.<delayMs>ms}: the worker's retry tier for one backoff delay. Every record in a tier waits
     * the same delay, so its forwarder only ever waits for the head of a partition.
     */
    public String retry(long delayMs) {
        if (delayMs < 0) {
            throw new IllegalArgumentException("A retry delay cannot be negative: " + delayMs);
        }
        return prefix + "retry." + delayMs + "ms";
    }

    /** The function a work topic belongs to, or empty when the name is not a work topic of this catalog. */
    public Optional<FunctionRef> parseWork(String topic) {
        String start = prefix + WORK;
        if (topic == null || !topic.startsWith(start)) {
            return Optional.empty();
        }
        String rest = topic.substring(start.length());
        int dot = rest.indexOf('.');
        if (dot < 0 || dot != rest.lastIndexOf('.')) {
            return Optional.empty();
        }
        String tenant = rest.substring(0, dot);
        String function = rest.substring(dot + 1);
        if (!FunctionRef.isValidName(tenant) || !FunctionRef.isValidName(function)) {
            return Optional.empty();
        }
        return Optional.of(new FunctionRef(tenant, function));
    }

    public String dispatcherGroup() {
        return groupPrefix + "-dispatcher";
    }

    /** {@code ferry-worker.<tenant>.<function>}: a share group for QUEUE functions, a consumer group for ORDERED. */
    public String workerGroup(FunctionRef function) {
        return groupPrefix + "-worker." + function.tenant() + "." + function.function();
    }

    /** {@code ferry-trigger.<tenant>.<name>}: the default group of a trigger (DESIGN, "Triggers"). */
    public String triggerGroup(TriggerRef trigger) {
        return groupPrefix + "-trigger." + trigger.tenant() + "." + trigger.name();
    }

    /**
     * Why {@code topic} belongs to the platform rather than to a tenant, or empty when it does not: such a topic is
     * never a trigger's source, destination or failure topic, whatever a tenant's patterns allow (issue 14, part 4),
     * and {@code ferry topic create} does not make one. Reserved are Ferry's platform topics (the topic prefix), the
     * internal topics of Ferry's Kafka Streams applications and anything else named after its groups (the group
     * prefix and a dash: metering's changelogs and repartition topics, {@code ferry-metering-...}), and the names
     * Kafka and the services beside it keep for themselves: a leading underscore ({@code __consumer_offsets},
     * {@code __transaction_state}, the Schema Registry's {@code _schemas}, {@code _confluent-...}). Before the last
     * two were reserved, a tenant's trigger could read every tenant's usage from metering's changelog and write
     * billable records into its repartition topic. A name that Kafka takes for one of these ({@link #collisionForm}:
     * {@code ferry_results} for {@code ferry.results}) is reserved too.
     */
    public Optional<String> reservation(String topic) {
        if (topic == null) {
            return Optional.empty();
        }
        if (topic.startsWith(prefix)) {
            return Optional.of("one of Ferry's own topics");
        }
        if (topic.startsWith(groupNamePrefix())) {
            return Optional.of("internal to Ferry (its Kafka Streams applications' topics start with "
                    + groupNamePrefix() + ")");
        }
        if (topic.startsWith("_")) {
            return Optional.of("internal to Kafka or a service beside it (names starting with '_')");
        }
        // Kafka refuses a topic whose name differs from an existing one's only by '.' against '_', so such a name
        // would also take one of the names above from the platform (a tester, session 10: destination
        // 'ferry_results' answered 503 with the broker's message; one made first would block Ferry's own topic).
        String form = collisionForm(topic);
        if (form.startsWith(collisionForm(prefix))) {
            return Optional.of("the same name to Kafka as Ferry's own '" + prefix + topic.substring(prefix.length())
                    + "' (" + COLLISION_RULE + ")");
        }
        if (form.startsWith("_")) {
            return Optional.of("the same name to Kafka as '_" + topic.substring(1) + "', and names starting with '_' "
                    + "are internal to Kafka or a service beside it (" + COLLISION_RULE + ")");
        }
        return Optional.empty();
    }

    /** Kafka's rule, as a reason: topic names that differ only by '.' against '_' collide. */
    public static final String COLLISION_RULE = "Kafka treats '.' and '_' in topic names alike: two names that "
            + "differ only there collide, and it refuses to create the second";

    /**
     * {@code topic} with every '.' as '_': two names with the same form collide in Kafka (its metrics replace '.' by
     * '_', so the broker refuses to create a topic whose form equals an existing topic's), so they name one topic.
     */
    public static String collisionForm(String topic) {
        return topic.replace('.', '_');
    }

    /** What every group name of this installation starts with: {@code ferry-} for prefix {@code ferry.}. */
    public String groupNamePrefix() {
        return groupPrefix + "-";
    }

    /**
     * {@code ferry-retry-forwarder}: the one consumer group of every worker process's retry forwarder, over all the
     * retry tiers (issue 16; each tier had a group of its own, named after its topic, before).
     */
    public String retryForwarderGroup() {
        return groupPrefix + "-retry-forwarder";
    }

    public String autoscalerGroup() {
        return groupPrefix + "-autoscaler";
    }

    /** The Kafka Streams {@code application.id} of the metering application. */
    public String meteringApplicationId() {
        return groupPrefix + "-metering";
    }

    /** The fixed platform topics, with their creation settings. */
    public List<TopicSpec> platformTopics() {
        Map<String, String> payload = Map.of("max.message.bytes", String.valueOf(settings.maxMessageBytes()));
        // A dead letter is a payload record plus Ferry's headers: it must fit whatever fits where it came from.
        Map<String, String> copies = Map.of("max.message.bytes", String.valueOf(settings.copyMaxMessageBytes()));
        Map<String, String> userPayload = new HashMap<>(payload);
        userPayload.putAll(userTopicConfigs());
        Map<String, String> userCopies = new HashMap<>(copies);
        userCopies.putAll(userTopicConfigs());
        Map<String, String> compact = Map.of("cleanup.policy", "compact");
        int partitions = settings.partitions();
        return List.of(
                spec(functions(), 1, compact),
                spec(invocations(), partitions, payload),
                spec(results(), partitions, userPayload),
                spec(asyncResults(), partitions, payload),
                spec(accepted(), partitions, Map.of()),
                spec(dlq(), partitions, userCopies),
                spec(lag(), partitions, Map.of()),
                spec(scaling(), 1, compact),
                spec(usage(), partitions, userTopicConfigs()),
                // A wakeup older than a minute is worth nothing: the lag collection has seen the work since.
                spec(wakeups(), partitions, Map.of("retention.ms", "60000", "segment.ms", "60000")),
                spec(triggers(), 1, compact),
                spec(triggerStatus(), 1, compact),
                spec(triggerTopics(), 1, compact),
                spec(quotas(), 1, Map.of("retention.ms", "60000", "segment.ms", "60000")));
    }

    /** The creation settings of one of {@link #platformTopics()}. */
    public TopicSpec platformTopic(String name) {
        return platformTopics().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " is not a platform topic"));
    }

    /** The topics users read with their own clients: results, dead letters and usage (issue 12). */
    public List<String> userTopics() {
        return List.of(results(), dlq(), usage());
    }

    /**
     * Topic configs of a topic users read: {@code compression.type} is {@code topic.user.compression.type}, so the
     * broker stores every batch in a codec any client decodes, whichever producer wrote it (the dispatcher's
     * REJECTED results and metering's usage records come from producers tuned for internal topics; the broker
     * recompresses those few batches). gzip at level 1: most of gzip's ratio at about half its default CPU. The
     * producers' {@code none} is {@code uncompressed} for a topic: the broker refuses {@code none} there, which made
     * every platform topic's creation fail with {@code topic.user.compression.type=none}.
     */
    public Map<String, String> userTopicConfigs() {
        String codec = "none".equals(settings.userCompressionType()) ? "uncompressed"
                : settings.userCompressionType();
        return "gzip".equals(codec)
                ? Map.of(org.apache.kafka.common.config.TopicConfig.COMPRESSION_TYPE_CONFIG, codec,
                        org.apache.kafka.common.config.TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG, "1")
                : Map.of(org.apache.kafka.common.config.TopicConfig.COMPRESSION_TYPE_CONFIG, codec);
    }

    /** A function's work topic, with the function's partition count. */
    public TopicSpec workTopic(FunctionRef function, int partitions) {
        return spec(work(function), partitions,
                Map.of("max.message.bytes", String.valueOf(settings.maxMessageBytes())));
    }

    /**
     * The retry tier of one backoff delay ({@link #retry(long)}): a parked request is a work record plus two
     * headers, so the tier takes the copies' limit.
     */
    public TopicSpec retryTopic(long delayMs) {
        return spec(retry(delayMs), settings.partitions(),
                Map.of("max.message.bytes", String.valueOf(settings.copyMaxMessageBytes())));
    }

    private TopicSpec spec(String name, int partitions, Map<String, String> configs) {
        return new TopicSpec(name, partitions, settings.replicationFactor(), configs, settings.minInsyncReplicas());
    }
}

package dev.ferry.ingest.internal;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.config.TopicConfig;
import dev.ferry.schemas.FunctionSpec;
import java.util.Map;
import java.util.Optional;

/**
 * What holds partitions of the platform's partition budget ({@link TopicConfig#workMaxTotalPartitions()}) now, in
 * total and for one tenant: deployed functions' work topics ({@link FunctionRoutes#held}), the work topics deleted
 * functions left ({@link LeftoverWorkTopics}) and the topics trigger PUTs created ({@link CreatedTopics}). One count
 * for the deploy's check and the trigger PUT's, so both see the same budget.
 *
 * @param functions partitions of deployed functions' work topics, {@code excluded}'s left out
 * @param leftovers partitions of deleted functions' work topics, {@code excluded}'s left out
 * @param created   partitions of the topics trigger PUTs created
 * @param own       the same three, of the tenant asked about only
 * @param leftoverTopics every leftover work topic's partitions, by function, {@code excluded}'s included
 */
record PartitionHoldings(long functions, long leftovers, long created, Own own,
        Map<FunctionRef, Integer> leftoverTopics) {

    /** One tenant's share of each kind. */
    record Own(long functions, long leftovers, long created) {
        long total() {
            return functions + leftovers + created;
        }
    }

    long total() {
        return functions + leftovers + created;
    }

    /** The partitions of {@code ref}'s leftover work topic, 0 when it has none. */
    int leftover(FunctionRef ref) {
        return leftoverTopics.getOrDefault(ref, 0);
    }

    /**
     * Counts what holds partitions, for {@code tenant}'s share, leaving out {@code excluded}'s work topic (the
     * function a deploy is about).
     *
     * @throws ApiException 503 when the cluster does not answer the listings the count needs ({@code what} names
     *     the check in the message)
     */
    static PartitionHoldings count(GatewayContext g, String tenant, Optional<FunctionRef> excluded, String what) {
        Map<FunctionRef, Integer> leftoverTopics;
        Map<String, CreatedTopics.Held> createdTopics;
        try {
            leftoverTopics = g.leftovers().partitions(function -> g.directory().get(function).isPresent());
            createdTopics = g.triggers().created().partitions();
        } catch (RuntimeException e) {
            throw ApiException.notReady("Cannot check the " + what + " (" + TopicConfig.WORK_MAX_TOTAL_PARTITIONS
                    + "), which counts the topics on the brokers: " + Http.inWords(e)
                    + ". Try again when the cluster answers");
        }
        long functions = 0;
        long ownFunctions = 0;
        for (FunctionSpec function : g.directory().all()) {
            if (excluded.isPresent() && function.getTenant().equals(excluded.get().tenant())
                    && function.getName().equals(excluded.get().function())) {
                continue;
            }
            functions += FunctionRoutes.held(function);
            ownFunctions += function.getTenant().equals(tenant) ? FunctionRoutes.held(function) : 0;
        }
        long leftovers = 0;
        long ownLeftovers = 0;
        for (Map.Entry<FunctionRef, Integer> topic : leftoverTopics.entrySet()) {
            if (excluded.isEmpty() || !topic.getKey().equals(excluded.get())) {
                leftovers += topic.getValue();
                ownLeftovers += topic.getKey().tenant().equals(tenant) ? topic.getValue() : 0;
            }
        }
        long created = 0;
        long ownCreated = 0;
        for (CreatedTopics.Held topic : createdTopics.values()) {
            created += topic.partitions();
            ownCreated += topic.tenant().equals(tenant) ? topic.partitions() : 0;
        }
        return new PartitionHoldings(functions, leftovers, created, new Own(ownFunctions, ownLeftovers, ownCreated),
                leftoverTopics);
    }
}

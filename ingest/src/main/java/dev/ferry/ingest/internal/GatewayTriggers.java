package dev.ferry.ingest.internal;

import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerDirectory;
import dev.ferry.core.triggers.TriggerPublisher;

/**
 * What the gateway's trigger handlers share (issue 14): the directory it follows ({@code ferry.triggers}), the watch
 * a write waits on, the publisher writes go through, the replicas' reports ({@code ferry.trigger-status}), the topic
 * checks against the broker, the topic names, the topics trigger PUTs created (counted in the partition budget), and
 * the name locks every write of a trigger holds from its read to its write ({@link TriggerRoutes},
 * {@link RevokedTopics}).
 */
public record GatewayTriggers(
        TriggerDirectory directory,
        TriggerWatch watch,
        TriggerPublisher publisher,
        TriggerStatusBoard status,
        TriggerTopics topics,
        TopicCatalog catalog,
        TriggerLags lags,
        CreatedTopics created,
        NameLocks writes) {

    /** With name locks of their own. */
    public GatewayTriggers(TriggerDirectory directory, TriggerWatch watch, TriggerPublisher publisher,
            TriggerStatusBoard status, TriggerTopics topics, TopicCatalog catalog, TriggerLags lags,
            CreatedTopics created) {
        this(directory, watch, publisher, status, topics, catalog, lags, created, new NameLocks());
    }
}

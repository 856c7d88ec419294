package dev.ferry.ingest.internal;

import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.core.triggers.TriggerDirectory;
import dev.ferry.core.triggers.TriggerPublisher;

/**
 * What the gateway's trigger handlers share (issue 14): the directory it follows ({@code ferry.triggers}), the watch
 * a write waits on, the publisher writes go through, the replicas' reports ({@code ferry.trigger-status}), the topic
 * checks against the broker, the topic names, and the topics trigger PUTs created (counted in the partition
 * budget).
 */
public record GatewayTriggers(
        TriggerDirectory directory,
        TriggerWatch watch,
        TriggerPublisher publisher,
        TriggerStatusBoard status,
        TriggerTopics topics,
        TopicCatalog catalog,
        TriggerLags lags,
        CreatedTopics created) {
}

/**
 * The names of Ferry's topics and groups (docs/design.md, "Topics"), derived in one place from the topic prefix, and
 * the settings each topic is created with.
 *
 * <p>Depends on {@code dev.ferry.core} and {@code dev.ferry.core.config} only; creating topics on a cluster is
 * {@link dev.ferry.core.kafka.TopicProvisioner}'s job.
 */
package dev.ferry.core.topics;

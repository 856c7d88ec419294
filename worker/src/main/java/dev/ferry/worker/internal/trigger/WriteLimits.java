package dev.ferry.worker.internal.trigger;

import dev.ferry.core.FerryException;
import dev.ferry.core.kafka.RecordSize;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The largest record, in bytes as {@link RecordSize#upperBound} counts it, a trigger replica may write to each of
 * its topics: the topic's own {@code max.message.bytes} (as the broker reports it, so a topic created with broker
 * defaults gives about 1 MiB) or the producer's {@code max.request.size}, whichever is lower. A record over it would
 * make its whole transaction fail on every try, so no single record may stop a trigger (issue 11): what does not
 * fit is checked before it is written. Described once per replica start (a changed destination restarts the
 * replica). Immutable.
 */
public final class WriteLimits {

    private final int producerMax;
    private final Map<String, Integer> byTopic;

    private WriteLimits(int producerMax, Map<String, Integer> byTopic) {
        this.producerMax = producerMax;
        this.byTopic = Map.copyOf(byTopic);
    }

    /** Only the producer's limit: before a replica has described its topics. */
    public static WriteLimits producerOnly(int producerMax) {
        return new WriteLimits(producerMax, Map.of());
    }

    /** The limit of ferry.results ({@code resultsMax}, the worker's own) and of each of {@code topics}. */
    public static WriteLimits describe(Admin admin, int producerMax, String results, int resultsMax,
            Collection<String> topics) {
        return of(describeTopics(admin, topics), producerMax, results, resultsMax);
    }

    /** As {@link #describe}, from configs already described ({@link #describeTopics}). */
    public static WriteLimits of(Map<String, Config> configs, int producerMax, String results, int resultsMax) {
        Map<String, Integer> limits = new HashMap<>();
        limits.put(results, Math.min(producerMax, resultsMax));
        configs.forEach((topic, config) -> {
            ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            int topicMax = entry == null || entry.value() == null ? producerMax : Integer.parseInt(entry.value());
            limits.put(topic, Math.min(producerMax, topicMax));
        });
        return new WriteLimits(producerMax, limits);
    }

    /**
     * The configs of {@code topics} as the broker reports them (its defaults included), by topic name: one Admin
     * call when a replica starts, which its size limits and its producer's codec ({@link DestinationCodec}) both
     * read.
     */
    public static Map<String, Config> describeTopics(Admin admin, Collection<String> topics) {
        List<ConfigResource> resources = topics.stream().distinct()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        try {
            Map<String, Config> byName = new HashMap<>();
            admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS)
                    .forEach((resource, config) -> byName.put(resource.name(), config));
            return byName;
        } catch (ExecutionException | TimeoutException e) {
            throw new FerryException("Cannot read the configs of " + topics + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("Interrupted while reading the configs of " + topics, e);
        }
    }

    /** Bytes a record for {@code topic} may take. */
    public int limit(String topic) {
        return byTopic.getOrDefault(topic, producerMax);
    }

    /** {@link RecordSize#upperBound} of {@code record}. */
    public static long size(ProducerRecord<byte[], byte[]> record) {
        return RecordSize.upperBound(record.key(), record.value(), record.headers());
    }

    public boolean fits(ProducerRecord<byte[], byte[]> record) {
        return size(record) <= limit(record.topic());
    }
}

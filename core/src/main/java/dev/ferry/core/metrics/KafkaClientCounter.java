package dev.ferry.core.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;

/**
 * Counts the live Kafka clients of this process by kind, for {@code ferry_kafka_clients} (issue 13, part 3): a
 * metrics reporter that every client Ferry configures ({@link #install}, through
 * {@code FerryConfig.kafkaClientProperties()}: every client {@code KafkaClients} builds, and metering's Kafka Streams
 * clients) builds one of, and closes when it closes. Counting the clients' metrics MBeans instead undercounted:
 * clients that share a {@code client.id} share an MBean name, so the second one registered none and the first
 * one's close removed the name while the second was still open. A client's kind is told by the metric group it
 * registers, as its MBeans were: {@code producer-metrics}, {@code consumer-fetch-manager-metrics},
 * {@code consumer-share-metrics} (a share consumer registers consumer-metrics too), {@code admin-client-metrics}.
 * Clients built without Ferry's configuration (the embedded registry's, a benchmark's baseline) are not counted.
 */
public final class KafkaClientCounter implements MetricsReporter {

    private static final Map<String, String> KINDS = Map.of(
            "producer-metrics", "producer",
            "consumer-fetch-manager-metrics", "consumer",
            "consumer-share-metrics", "share-consumer",
            "admin-client-metrics", "admin");
    private static final Set<KafkaClientCounter> LIVE = ConcurrentHashMap.newKeySet();

    private volatile String kind;

    /** Built by each Kafka client from {@code metric.reporters}. */
    public KafkaClientCounter() {
    }

    /**
     * Adds this reporter to {@code props}' {@code metric.reporters}, after what is there, or after Kafka's default
     * ({@link JmxReporter}) when nothing is: setting the key replaces the default, and JMX must stay.
     */
    public static void install(Map<String, Object> props) {
        Object configured = props.get(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG);
        List<String> reporters = new ArrayList<>();
        if (configured == null) {
            reporters.add(JmxReporter.class.getName());
        } else if (configured instanceof List<?> list) {
            list.forEach(r -> reporters.add(r instanceof Class<?> c ? c.getName() : r.toString().trim()));
        } else {
            for (String r : configured.toString().split(",")) {
                if (!r.isBlank()) {
                    reporters.add(r.trim());
                }
            }
        }
        if (!reporters.contains(KafkaClientCounter.class.getName())) {
            reporters.add(KafkaClientCounter.class.getName());
        }
        props.put(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG, String.join(",", reporters));
    }

    /** Live clients of {@code kind}: {@code producer}, {@code consumer}, {@code share-consumer} or {@code admin}. */
    static int count(String kind) {
        int count = 0;
        for (KafkaClientCounter client : LIVE) {
            if (kind.equals(client.kind)) {
                count++;
            }
        }
        return count;
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
        metrics.forEach(this::metricChange);
        LIVE.add(this);
    }

    @Override
    public void metricChange(KafkaMetric metric) {
        if (kind == null) {
            kind = KINDS.get(metric.metricName().group());
        }
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
    }

    @Override
    public void close() {
        LIVE.remove(this);
    }
}

package dev.ferry.bench.internal;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The cumulative counters ({@code *-total}) of every Kafka client of this JVM, read from the metrics the clients
 * register in JMX: requests, fetches, commits, acknowledgements, records. Two snapshots around a repetition give
 * what one side did per record, which the machine's load does not change (issue 16: prefer counts).
 */
final class ClientCounts {

    private static final Set<String> DOMAINS = Set.of("kafka.producer", "kafka.consumer");
    /** The counters {@link #perRecord} lists: the work per record, not connections, metadata or heartbeats. */
    private static final List<String> WORK = List.of("fetch-manager-metrics fetch-total", "records-consumed-total",
            "acknowledgements-send-total", "commit-total", "record-send-total", "producer-metrics request-total",
            "consumer-metrics request-total");

    private ClientCounts() {
    }

    /** {@code client-id (numbers of replicas folded) / metric group / attribute} to its summed value. */
    static Map<String, Double> snapshot() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, Double> totals = new TreeMap<>();
        for (String domain : DOMAINS) {
            Set<ObjectName> names;
            try {
                names = server.queryNames(new ObjectName(domain + ":*"), null);
            } catch (Exception e) {
                continue;
            }
            for (ObjectName name : names) {
                String client = name.getKeyProperty("client-id");
                if (client == null || name.getKeyProperty("node-id") != null
                        || name.getKeyProperty("topic") != null || name.getKeyProperty("partition") != null) {
                    continue;
                }
                try {
                    for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
                        if (!attribute.getName().endsWith("-total")) {
                            continue;
                        }
                        Object value = server.getAttribute(name, attribute.getName());
                        if (value instanceof Number number && !Double.isNaN(number.doubleValue())) {
                            String key = fold(client) + " " + name.getKeyProperty("type") + " "
                                    + attribute.getName();
                            totals.merge(key, number.doubleValue(), Double::sum);
                        }
                    }
                } catch (Exception e) {
                    // a client closing meanwhile
                }
            }
        }
        return totals;
    }

    /** The counters that moved between two snapshots, per {@code records}, one per line. */
    static String perRecord(Map<String, Double> before, Map<String, Double> after, int records) {
        StringBuilder out = new StringBuilder();
        after.forEach((key, value) -> {
            double delta = value - before.getOrDefault(key, 0.0);
            if (delta > 0 && WORK.stream().anyMatch(key::endsWith)) {
                out.append(String.format(Locale.ROOT, "%n  %-110s %10.0f  %8.4f/record", key, delta,
                        delta / records));
            }
        });
        return out.toString();
    }

    /** The sum of the counters matching {@code which} that moved between two snapshots. */
    static double delta(Map<String, Double> before, Map<String, Double> after, Predicate<String> which) {
        double sum = 0;
        for (Map.Entry<String, Double> entry : after.entrySet()) {
            if (which.test(entry.getKey())) {
                sum += entry.getValue() - before.getOrDefault(entry.getKey(), 0.0);
            }
        }
        return sum;
    }

    /** Replicas' client ids differ only by their number: one line for all of them. */
    private static String fold(String client) {
        return client.replaceAll("#\\d+", "#*").replaceAll("-\\d+$", "-*");
    }
}

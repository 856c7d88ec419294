package dev.ferry.core.config;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of triggers (event-source mappings, issue 14): the gateway's checks and the worker's trigger runtime. */
public final class TriggerConfig {

    public static final String TOPICS_CREATE = "trigger.topics.create";
    public static final String COMMIT_INTERVAL_MS = "trigger.commit.interval.ms";
    public static final String STATUS_INTERVAL_MS = "trigger.status.interval.ms";

    private final boolean topicsCreate;
    private final int commitIntervalMs;
    private final int statusIntervalMs;

    TriggerConfig(AbstractConfig config) {
        this.topicsCreate = config.getBoolean(TOPICS_CREATE);
        this.commitIntervalMs = config.getInt(COMMIT_INTERVAL_MS);
        this.statusIntervalMs = config.getInt(STATUS_INTERVAL_MS);
    }

    static void define(ConfigDef def) {
        def.define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.MEDIUM,
                        "Whether creating a trigger creates its missing destination and onFailure topics (with the "
                                + "source's partition count). false: such a trigger is refused with 400 naming the "
                                + "topic.")
                .define(COMMIT_INTERVAL_MS, Type.INT, 100, Range.between(1, 60_000), Importance.LOW,
                        "How often a PARTITION or KEY trigger replica commits its transaction (outputs, results "
                                + "and source offsets together); like Kafka Streams' commit.interval.ms under "
                                + "exactly_once_v2.")
                .define(STATUS_INTERVAL_MS, Type.INT, 5_000, Range.between(100, 3_600_000), Importance.LOW,
                        "How often each trigger replica reports its state, lag and counts to ferry.trigger-status.");
    }

    /** {@value #TOPICS_CREATE}: whether missing destination and onFailure topics are created. */
    public boolean topicsCreate() {
        return topicsCreate;
    }

    /** {@value #COMMIT_INTERVAL_MS}, in milliseconds. */
    public int commitIntervalMs() {
        return commitIntervalMs;
    }

    /** {@value #STATUS_INTERVAL_MS}, in milliseconds. */
    public int statusIntervalMs() {
        return statusIntervalMs;
    }
}

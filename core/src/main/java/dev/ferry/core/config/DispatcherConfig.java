package dev.ferry.core.config;

import dev.ferry.core.Plugins;
import dev.ferry.core.functions.FunctionSpecs;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Settings of the dispatcher, which routes ferry.invocations onto the work topics. */
public final class DispatcherConfig {

    public static final String MAX_PAYLOAD_BYTES = "dispatcher.max.payload.bytes";
    public static final String PARTITION_STRATEGY = "dispatcher.partition.strategy";
    public static final String PARTITION_STRATEGY_CLASSES = "dispatcher.partition.strategy.classes";
    public static final String TRANSACTIONAL_ID = "dispatcher.transactional.id";
    public static final String STEP_OUT_FAILURES = "dispatcher.step.out.failures";
    public static final String STEP_OUT_WINDOW_MS = "dispatcher.step.out.window.ms";

    private final int maxPayloadBytes;
    private final String partitionStrategy;
    private final List<String> partitionStrategyClasses;
    private final String transactionalId;
    private final int stepOutFailures;
    private final Duration stepOutWindow;

    DispatcherConfig(AbstractConfig config) {
        this.partitionStrategyClasses = List.copyOf(config.getList(PARTITION_STRATEGY_CLASSES));
        this.maxPayloadBytes = config.getInt(MAX_PAYLOAD_BYTES);
        this.partitionStrategy = config.getString(PARTITION_STRATEGY);
        this.transactionalId = config.getString(TRANSACTIONAL_ID);
        this.stepOutFailures = config.getInt(STEP_OUT_FAILURES);
        this.stepOutWindow = Duration.ofMillis(config.getLong(STEP_OUT_WINDOW_MS));
    }

    static void define(ConfigDef def) {
        def.define(MAX_PAYLOAD_BYTES, Type.INT, 6 * 1024 * 1024, Range.atLeast(0), Importance.MEDIUM,
                        "Largest payload the dispatcher forwards; larger ones end as REJECTED results.")
                .define(PARTITION_STRATEGY, Type.STRING, "auto",
                        (key, value) -> {
                            String name = (String) value;
                            if (!FunctionSpecs.PARTITION_STRATEGIES.contains(name) && !Plugins.isClassName(name)) {
                                throw new ConfigException(key, value, "use one of " + FunctionSpecs.PARTITION_STRATEGIES
                                        + " or the class name of a PartitionStrategy");
                            }
                        }, Importance.MEDIUM,
                        "Default partition strategy for functions that name none: auto (key-affinity when the "
                                + "request has a key, least-lag otherwise), key-affinity, round-robin, "
                                + "weighted-random, least-lag; or the class name of a PartitionStrategy with a public "
                                + "no-argument constructor.")
                .define(PARTITION_STRATEGY_CLASSES, Type.LIST, "",
                        (key, value) -> {
                            for (Object name : (List<?>) value) {
                                if (!Plugins.isClassName((String) name)) {
                                    throw new ConfigException(key, value, "'" + name + "' is not a class name");
                                }
                            }
                        }, Importance.MEDIUM,
                        "Class names of PartitionStrategy implementations on the dispatcher's class path that a "
                                + "function's partitionStrategy may name, besides the built-in names; empty: none. "
                                + "The gateway refuses any other name at deploy and the dispatcher never loads one. "
                                + "Set it alike on gateways and dispatchers.")
                .define(TRANSACTIONAL_ID, Type.STRING, "", Importance.MEDIUM,
                        "transactional.id of this dispatcher instance; unique per instance and stable across its "
                                + "restarts, so a restart fences the crashed one. Empty: derived from the host name and "
                                + "the management port (random without a fixed management port). Its producers use "
                                + "it and <id>-alt, taken in turn per transaction.")
                .define(STEP_OUT_FAILURES, Type.INT, 5, Range.atLeast(0), Importance.MEDIUM,
                        "Failed attempts in a row of a batch after which a dispatcher steps out of its group, once "
                                + STEP_OUT_WINDOW_MS + " has passed since the first: it gives its partitions of "
                                + "ferry.invocations to the other instances, is not ready on /readyz, and rejoins "
                                + "when the schema registry answers again (when that was the failure) or after "
                                + STEP_OUT_WINDOW_MS + " (any other failure). 0: never steps out.")
                .define(STEP_OUT_WINDOW_MS, Type.LONG, 20_000L, Range.atLeast(0), Importance.MEDIUM,
                        "How long a dispatcher's batches must keep failing (" + STEP_OUT_FAILURES + " attempts in "
                                + "a row, from the first) before it steps out of its group; also how long it stays "
                                + "out after a failure other than the schema registry's.");
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    public String partitionStrategy() {
        return partitionStrategy;
    }

    /** {@value #PARTITION_STRATEGY_CLASSES}: the user strategy classes functions may name. */
    public List<String> partitionStrategyClasses() {
        return partitionStrategyClasses;
    }

    /** {@value #STEP_OUT_FAILURES}: failed attempts in a row before stepping out; 0 never steps out. */
    public int stepOutFailures() {
        return stepOutFailures;
    }

    /** {@value #STEP_OUT_WINDOW_MS}: how long batches must keep failing before stepping out. */
    public Duration stepOutWindow() {
        return stepOutWindow;
    }

    /** The configured transactional id, or empty when it is to be derived from the host and management port. */
    public String transactionalId() {
        return transactionalId;
    }
}

package dev.ferry.metering.internal;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.topics.TopicCatalog;
import dev.ferry.metering.MeteringTopology;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.UsageRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/** The metering topology under {@link TopologyTestDriver}, with the wall clock starting at {@code start}. */
public final class MeteringDriver implements AutoCloseable {

    private final TopologyTestDriver driver;
    private final TestInputTopic<String, InvocationResult> results;
    private final TestOutputTopic<String, UsageRecord> usage;
    private final TestInputTopic<String, byte[]> rawResults;

    public MeteringDriver(FerryConfig config, Path stateDir, Instant start) {
        TopicCatalog topics = new TopicCatalog(config);
        Properties props = MeteringTopology.streamsProperties(config, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(MeteringTopology.build(config, Fixtures.resultSerde(), Fixtures.usageSerde(),
                StreamsConfig.EXACTLY_ONCE_V2), props, start);
        results = driver.createInputTopic(topics.results(), Serdes.String().serializer(),
                Fixtures.resultSerde().serializer());
        usage = driver.createOutputTopic(topics.usage(), Serdes.String().deserializer(),
                Fixtures.usageSerde().deserializer());
        rawResults = driver.createInputTopic(topics.results(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
    }

    /** Writes a result as a worker would: keyed by invocation id, stamped now by the producer. */
    public void pipe(InvocationResult result) {
        results.pipeInput(result.getInvocationId(), result, result.getFinishedAt());
    }

    /** Writes bytes that are no InvocationResult, as a buggy or hostile producer might. */
    public void pipeRaw(String key, byte[] value, Instant timestamp) {
        rawResults.pipeInput(key, value, timestamp);
    }

    public void pipeAll(List<InvocationResult> all) {
        all.forEach(this::pipe);
    }

    public void advanceWallClock(Duration by) {
        driver.advanceWallClockTime(by);
    }

    public List<KeyValue<String, UsageRecord>> usage() {
        return usage.readKeyValuesToList();
    }

    public WindowStore<String, WindowTotals> windowStore(String name) {
        return driver.getWindowStore(name);
    }

    public KeyValueStore<String, WindowTotals> totals() {
        return driver.getKeyValueStore(StoreNames.TOTALS);
    }

    @Override
    public void close() {
        driver.close();
    }
}

package dev.ferry.metering.internal;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.MeteringConfig;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.UsageRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Results, configurations and registry-free serdes for broker-free metering tests. */
public final class Fixtures {

    private Fixtures() {
    }

    public static FerryConfig config(long windowMs, long graceMs, Map<String, Object> more) {
        Map<String, Object> props = new HashMap<>();
        props.put(FerryConfig.TOPIC_PREFIX, "t" + UUID.randomUUID().toString().substring(0, 8) + ".");
        props.put(MeteringConfig.WINDOW_MS, windowMs);
        props.put(MeteringConfig.GRACE_MS, graceMs);
        props.putAll(more);
        return new FerryConfig(props);
    }

    public static InvocationResult result(String id, int attempt, String tenant, String function,
            InvocationStatus status, long finishedAt, long durationMicros, int memoryMb) {
        return InvocationResult.newBuilder()
                .setInvocationId(id)
                .setTenant(tenant)
                .setFunction(function)
                .setAttempt(attempt)
                .setStatus(status)
                .setMemoryMb(memoryMb)
                .setSubmittedAt(Instant.ofEpochMilli(finishedAt - 5))
                .setStartedAt(Instant.ofEpochMilli(finishedAt - 1))
                .setFinishedAt(Instant.ofEpochMilli(finishedAt))
                .setDurationMicros(durationMicros)
                .build();
    }

    public static InvocationResult ok(String id, String tenant, String function, long finishedAt, long micros,
            int memoryMb) {
        return result(id, 1, tenant, function, InvocationStatus.SUCCEEDED, finishedAt, micros, memoryMb);
    }

    /** Avro single-object encoding: the same records as the registry serde, without a registry. */
    public static Serde<InvocationResult> resultSerde() {
        return Serdes.serdeFrom((topic, value) -> value == null ? null : bytes(encode(value::toByteBuffer)),
                (topic, data) -> data == null ? null : decode(() -> InvocationResult.fromByteBuffer(
                        ByteBuffer.wrap(data))));
    }

    public static Serde<UsageRecord> usageSerde() {
        return Serdes.serdeFrom((topic, value) -> value == null ? null : bytes(encode(value::toByteBuffer)),
                (topic, data) -> data == null ? null : decode(() -> UsageRecord.fromByteBuffer(
                        ByteBuffer.wrap(data))));
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static ByteBuffer encode(IoSupplier<ByteBuffer> encoder) {
        return decode(encoder);
    }

    private static <T> T decode(IoSupplier<T> decoder) {
        try {
            return decoder.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}

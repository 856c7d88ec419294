package dev.ferry.schemas.testing;

import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.UsageRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/** Sample records, and conversion of generated records to generic ones, for tests. */
public final class Records {

    private Records() {
    }

    public static InvocationRequest request(String function) {
        return InvocationRequest.newBuilder()
                .setInvocationId(UUID.randomUUID().toString())
                .setTenant("acme")
                .setFunction(function)
                .setPayload(ByteBuffer.wrap("{\"n\":1}".getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setKey("k-1")
                .setSubmittedAt(Instant.ofEpochMilli(1_700_000_000_123L))
                .setDeadline(Instant.ofEpochMilli(1_700_000_030_123L))
                .setHeaders(Map.of("traceparent", "00-abc-def-01"))
                .build();
    }

    public static InvocationResult result() {
        return InvocationResult.newBuilder()
                .setInvocationId(UUID.randomUUID().toString())
                .setTenant("acme").setFunction("echo").setAttempt(1)
                .setStatus(InvocationStatus.SUCCEEDED)
                .setOutput(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setMemoryMb(256)
                .setSubmittedAt(Instant.ofEpochMilli(1000)).setStartedAt(Instant.ofEpochMilli(1001))
                .setFinishedAt(Instant.ofEpochMilli(1010)).setDurationMicros(9000)
                .build();
    }

    public static FunctionSpec spec() {
        return FunctionSpec.newBuilder().setTenant("acme").setName("echo").setRuntime(Runtime.JAVA)
                .setHandler("echo").setDelivery(Delivery.ORDERED).setUpdatedAt(Instant.ofEpochMilli(5)).build();
    }

    public static UsageRecord usage() {
        return UsageRecord.newBuilder().setTenant("acme").setFunction("echo")
                .setWindowStart(Instant.ofEpochMilli(0)).setWindowEnd(Instant.ofEpochMilli(60_000))
                .setInvocations(3).setFailures(1).setBilledMillis(30).setMbMillis(3840)
                .setCost(new BigDecimal("0.0000012345")).setAvailability(0.5).build();
    }

    /** The generic twin of a generated record: its plain Avro bytes read back as a GenericRecord. */
    public static GenericRecord toGeneric(SpecificRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
            return new GenericDatumReader<GenericRecord>(record.getSchema(), record.getSchema(), GenericData.get())
                    .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

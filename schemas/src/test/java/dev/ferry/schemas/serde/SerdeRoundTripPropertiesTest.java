package dev.ferry.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.schemas.Delivery;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationRequest;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.InvocationStatus;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.UsageRecord;
import dev.ferry.schemas.testing.InMemorySchemaRegistry;
import dev.ferry.schemas.testing.Records;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

class SerdeRoundTripPropertiesTest {

    private static final BigInteger MAX_UNSCALED = BigInteger.TEN.pow(28).subtract(BigInteger.ONE);

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final FerryAvroSerializer<SpecificRecord> serializer = new FerryAvroSerializer<>(registry);
    private final FerryAvroDeserializer<SpecificRecord> specificReader = new FerryAvroDeserializer<>(registry);
    private final FerryAvroSerializer<GenericRecord> genericWriter = new FerryAvroSerializer<>(registry);
    private final FerryAvroDeserializer<GenericRecord> genericReader = new FerryAvroDeserializer<>(registry);

    SerdeRoundTripPropertiesTest() {
        specificReader.configure(Map.of(FerryAvroSerdeConfig.SPECIFIC_AVRO_READER_CONFIG, true), false);
    }

    @Property(tries = 200)
    void shouldReadBackEqualSpecificRecordWhenWrittenThroughTheSerde(@ForAll("records") SpecificRecord record) {
        byte[] bytes = serializer.serialize("t-specific", record);

        assertThat(specificReader.deserialize("t-specific", bytes)).isEqualTo(record);
    }

    @Property(tries = 200)
    void shouldReadBackEqualGenericRecordWhenWrittenThroughTheSerde(@ForAll("records") SpecificRecord record) {
        GenericRecord generic = Records.toGeneric(record);

        byte[] bytes = genericWriter.serialize("t-generic", generic);

        assertThat(genericReader.deserialize("t-generic", bytes)).isEqualTo(generic);
    }

    @Property(tries = 100)
    void shouldReadGeneratedClassWhenWrittenAsGenericRecord(@ForAll("records") SpecificRecord record) {
        byte[] bytes = genericWriter.serialize("t-mixed", Records.toGeneric(record));

        assertThat(specificReader.deserialize("t-mixed", bytes)).isEqualTo(record);
    }

    @Provide
    Arbitrary<SpecificRecord> records() {
        return Arbitraries.oneOf(requests(), results(), specs(), usage());
    }

    private Arbitrary<SpecificRecord> requests() {
        return Builders.withBuilder(InvocationRequest::newBuilder)
                .use(text()).in(InvocationRequest.Builder::setInvocationId)
                .use(name()).in(InvocationRequest.Builder::setTenant)
                .use(name()).in(InvocationRequest.Builder::setFunction)
                .use(bytes()).in(InvocationRequest.Builder::setPayload)
                .use(text()).in(InvocationRequest.Builder::setContentType)
                .use(text().injectNull(0.3)).in(InvocationRequest.Builder::setKey)
                .use(instants()).in(InvocationRequest.Builder::setSubmittedAt)
                .use(instants().injectNull(0.3)).in(InvocationRequest.Builder::setDeadline)
                .use(Arbitraries.integers()).in(InvocationRequest.Builder::setAttempt)
                .use(stringMaps()).in(InvocationRequest.Builder::setHeaders)
                .build(b -> (SpecificRecord) b.build());
    }

    private Arbitrary<SpecificRecord> results() {
        return Builders.withBuilder(InvocationResult::newBuilder)
                .use(text()).in(InvocationResult.Builder::setInvocationId)
                .use(name()).in(InvocationResult.Builder::setTenant)
                .use(name()).in(InvocationResult.Builder::setFunction)
                .use(Arbitraries.integers()).in(InvocationResult.Builder::setAttempt)
                .use(Arbitraries.of(InvocationStatus.class)).in(InvocationResult.Builder::setStatus)
                .use(bytes().injectNull(0.3)).in(InvocationResult.Builder::setOutput)
                .use(text()).in(InvocationResult.Builder::setContentType)
                .use(text().injectNull(0.5)).in(InvocationResult.Builder::setError)
                .use(Arbitraries.integers()).in(InvocationResult.Builder::setMemoryMb)
                .use(instants()).in(InvocationResult.Builder::setSubmittedAt)
                .use(instants()).in(InvocationResult.Builder::setStartedAt)
                .use(instants()).in(InvocationResult.Builder::setFinishedAt)
                .use(Arbitraries.longs()).in(InvocationResult.Builder::setDurationMicros)
                .use(Arbitraries.of(true, false)).in(InvocationResult.Builder::setColdStart)
                .use(text().injectNull(0.5)).in(InvocationResult.Builder::setWorker)
                .build(b -> (SpecificRecord) b.build());
    }

    private Arbitrary<SpecificRecord> specs() {
        return Builders.withBuilder(FunctionSpec::newBuilder)
                .use(name()).in(FunctionSpec.Builder::setTenant)
                .use(name()).in(FunctionSpec.Builder::setName)
                .use(Arbitraries.of(Runtime.class)).in(FunctionSpec.Builder::setRuntime)
                .use(text()).in(FunctionSpec.Builder::setHandler)
                .use(Arbitraries.integers().between(128, 10240)).in(FunctionSpec.Builder::setMemoryMb)
                .use(Arbitraries.integers().between(1, 900_000)).in(FunctionSpec.Builder::setTimeoutMs)
                .use(Arbitraries.integers().between(1, 64)).in(FunctionSpec.Builder::setConcurrency)
                .use(Arbitraries.integers().between(0, 5)).in(FunctionSpec.Builder::setMinReplicas)
                .use(Arbitraries.integers().between(5, 100)).in(FunctionSpec.Builder::setMaxReplicas)
                .use(Arbitraries.integers().between(1, 64)).in(FunctionSpec.Builder::setPartitions)
                .use(Arbitraries.of(Delivery.class)).in(FunctionSpec.Builder::setDelivery)
                .use(Arbitraries.integers()).in(FunctionSpec.Builder::setTargetLagPerReplica)
                .use(Arbitraries.integers()).in(FunctionSpec.Builder::setMaxAttempts)
                .use(stringMaps()).in(FunctionSpec.Builder::setEnv)
                .use(instants()).in(FunctionSpec.Builder::setUpdatedAt)
                .use(Arbitraries.of("key-affinity", "round-robin", "least-lag").injectNull(0.5))
                .in(FunctionSpec.Builder::setPartitionStrategy)
                .build(b -> (SpecificRecord) b.build());
    }

    private Arbitrary<SpecificRecord> usage() {
        return Builders.withBuilder(UsageRecord::newBuilder)
                .use(name()).in(UsageRecord.Builder::setTenant)
                .use(name()).in(UsageRecord.Builder::setFunction)
                .use(instants()).in(UsageRecord.Builder::setWindowStart)
                .use(instants()).in(UsageRecord.Builder::setWindowEnd)
                .use(Arbitraries.longs()).in(UsageRecord.Builder::setInvocations)
                .use(Arbitraries.longs()).in(UsageRecord.Builder::setFailures)
                .use(Arbitraries.longs()).in(UsageRecord.Builder::setBilledMillis)
                .use(Arbitraries.longs()).in(UsageRecord.Builder::setMbMillis)
                .use(Arbitraries.bigIntegers().between(MAX_UNSCALED.negate(), MAX_UNSCALED)
                        .map(unscaled -> new BigDecimal(unscaled, 10))).in(UsageRecord.Builder::setCost)
                .use(Arbitraries.doubles()).in(UsageRecord.Builder::setAvailability)
                .build(b -> (SpecificRecord) b.build());
    }

    private static Arbitrary<String> name() {
        return Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('-').ofMinLength(1).ofMaxLength(63);
    }

    /** Any text without lone surrogates (which UTF-8 cannot carry, in Avro or anywhere else). */
    private static Arbitrary<String> text() {
        return Arbitraries.strings().withCharRange(' ', '\uD7FF').withCharRange('\uE000', '\uFFFD').ofMaxLength(40);
    }

    private static Arbitrary<ByteBuffer> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(64).map(ByteBuffer::wrap);
    }

    private static Arbitrary<Instant> instants() {
        return Arbitraries.longs().between(-62_135_596_800_000L, 253_402_300_799_999L).map(Instant::ofEpochMilli);
    }

    private static Arbitrary<Map<String, String>> stringMaps() {
        return Arbitraries.maps(text(), text()).ofMaxSize(5);
    }
}

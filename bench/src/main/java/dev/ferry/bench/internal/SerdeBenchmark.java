package dev.ferry.bench.internal;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.kafka.AvroSerdes;
import dev.ferry.schemas.InvocationRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One round trip (encode, then decode) of an {@code InvocationRequest} per operation: through Ferry's wire-format
 * serde (registry-backed, the schema id cached after the first call, as in every service) and through plain Avro
 * binary encoding of the same record with reused encoder and decoder, which is the least any Avro user pays.
 *
 * <p>Runs in a forked JVM (so neither benchmark inherits the other's JIT profile); the registry's URL and the topic
 * prefix come in as the system properties {@link #REGISTRY_PROPERTY} and {@link #PREFIX_PROPERTY}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SerdeBenchmark {

    static final String REGISTRY_PROPERTY = "ferry.bench.registry";
    static final String PREFIX_PROPERTY = "ferry.bench.prefix";

    private InvocationRequest request;
    private String topic;
    private Serializer<InvocationRequest> ferrySerializer;
    private Deserializer<InvocationRequest> ferryDeserializer;
    private final SpecificDatumWriter<InvocationRequest> writer =
            new SpecificDatumWriter<>(InvocationRequest.getClassSchema());
    private final SpecificDatumReader<InvocationRequest> reader =
            new SpecificDatumReader<>(InvocationRequest.getClassSchema());
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    private BinaryEncoder encoder;
    private BinaryDecoder decoder;

    @Setup
    public void setUp() {
        String registry = System.getProperty(REGISTRY_PROPERTY);
        if (registry == null) {
            throw new IllegalStateException(REGISTRY_PROPERTY + " is not set: run SerdeBenchmark through SerdeScenario");
        }
        FerryConfig config = new FerryConfig(Map.of(FerryConfig.SCHEMA_REGISTRY_URL, registry,
                FerryConfig.TOPIC_PREFIX, System.getProperty(PREFIX_PROPERTY, FerryConfig.DEFAULT_TOPIC_PREFIX)));
        AvroSerdes serdes = new AvroSerdes(config);
        topic = config.topicPrefix() + "invocations";
        ferrySerializer = serdes.serializer(InvocationRequest.class);
        ferryDeserializer = serdes.deserializer(InvocationRequest.class);
        request = sample();
        // Registers the schema once, as a service's first record does.
        ferryDeserializer.deserialize(topic, ferrySerializer.serialize(topic, request));
    }

    /** A typical small invocation: a tiny JSON payload, no key, one trace header. */
    static InvocationRequest sample() {
        return InvocationRequest.newBuilder()
                .setInvocationId(UUID.randomUUID().toString())
                .setTenant("bench")
                .setFunction("echo")
                .setPayload(ByteBuffer.wrap("{\"hello\":\"ferry\"}".getBytes(StandardCharsets.UTF_8)))
                .setContentType("application/json")
                .setKey(null)
                .setSubmittedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setDeadline(null)
                .setAttempt(1)
                .setHeaders(Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
                .build();
    }

    @Benchmark
    public InvocationRequest ferryWireFormat() {
        request.getPayload().rewind();
        return ferryDeserializer.deserialize(topic, ferrySerializer.serialize(topic, request));
    }

    @Benchmark
    public InvocationRequest plainAvro() throws IOException {
        request.getPayload().rewind();
        out.reset();
        encoder = EncoderFactory.get().binaryEncoder(out, encoder);
        writer.write(request, encoder);
        encoder.flush();
        decoder = DecoderFactory.get().binaryDecoder(out.toByteArray(), decoder);
        return reader.read(null, decoder);
    }
}

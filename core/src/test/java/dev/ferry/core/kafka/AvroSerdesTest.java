package dev.ferry.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.functions.FunctionSpecs;
import dev.ferry.schemas.FunctionSpec;
import dev.ferry.schemas.InvocationResult;
import dev.ferry.schemas.Runtime;
import dev.ferry.schemas.registry.SchemaRegistryClient;
import dev.ferry.schemas.registry.SchemaRegistryException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What a service prepared at start it writes without the registry (a tester, session 13: an autoscaler whose registry
 * was lost before its first decision scaled nothing for the whole outage).
 */
class AvroSerdesTest {

    private static final FerryConfig CONFIG = new FerryConfig(Map.of(FerryConfig.BOOTSTRAP_SERVERS, "127.0.0.1:1",
            FerryConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:1"));
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final AtomicInteger registered = new AtomicInteger();
    /** Registers every schema as id 7 while up; unreachable while not. */
    private final SchemaRegistryClient registry = (SchemaRegistryClient) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {SchemaRegistryClient.class}, (proxy, method, args) -> {
                if (!up.get()) {
                    throw new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE,
                            SchemaRegistryException.NO_RESPONSE, "Schema registry at http://127.0.0.1:1 unreachable");
                }
                if (method.getName().equals("register")) {
                    registered.incrementAndGet();
                    return 7;
                }
                throw new UnsupportedOperationException(method.getName());
            });
    private final FunctionSpec spec = FunctionSpecs.builder("acme", "echo", Runtime.JAVA, "echo").build();

    @Test
    void shouldWriteWhatWasPreparedWithoutTheRegistry() {
        AvroSerdes serdes = new AvroSerdes(registry, CONFIG);
        serdes.prepare(Map.of("ferry.functions", FunctionSpec.class));
        assertThat(registered).hasValue(1);

        up.set(false);
        byte[] written = serdes.serializer(FunctionSpec.class).serialize("ferry.functions", spec);

        assertThat(ByteBuffer.wrap(written).get()).isZero();
        assertThat(ByteBuffer.wrap(written, 1, 4).getInt()).isEqualTo(7);
    }

    @Test
    void shouldNeedTheRegistryAtTheFirstWriteOfWhatWasNotPrepared() {
        AvroSerdes serdes = new AvroSerdes(registry, CONFIG);
        serdes.prepare(Map.of("ferry.functions", FunctionSpec.class));
        up.set(false);

        assertThatThrownBy(() -> serdes.serializer(FunctionSpec.class).serialize("ferry.other", spec))
                .hasMessageContaining("unreachable");
    }

    @Test
    void shouldOnlyWarnWhenTheRegistryCannotAnswerAtStartAndAskAgainAtTheFirstWrite() {
        AvroSerdes serdes = new AvroSerdes(registry, CONFIG);
        up.set(false);
        serdes.prepare(Map.of("ferry.results", InvocationResult.class));

        up.set(true);
        serdes.prepare(Map.of("ferry.functions", FunctionSpec.class));
        assertThat(serdes.serializer(FunctionSpec.class).serialize("ferry.functions", spec)).isNotEmpty();
        assertThat(registered).hasValue(1);
    }
}

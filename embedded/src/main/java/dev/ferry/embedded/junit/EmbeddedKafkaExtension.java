package dev.ferry.embedded.junit;

import dev.ferry.embedded.internal.SharedKafka;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link KafkaFixture} parameters, starting the embedded broker and schema registry on first use.
 *
 * <p>Both live in the root extension store, so all test classes of the JVM share one start (a few seconds) and
 * JUnit closes them when the run ends. Set the system properties {@code ferry.kafka.bootstrap} (and optionally
 * {@code ferry.schema.registry}) to run against an existing cluster instead; without the second, a registry is
 * started on that cluster.
 */
public final class EmbeddedKafkaExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KafkaFixture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        SharedKafka shared = extensionContext.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedKafka.class.getName(), key -> SharedKafka.start(System.getProperties()),
                        SharedKafka.class);
        return new Fixture(shared);
    }

    /** Adapts the internal shared cluster to the public interface, so no public type extends an internal one. */
    private record Fixture(SharedKafka shared) implements KafkaFixture {
        @Override
        public String bootstrapServers() {
            return shared.bootstrapServers();
        }

        @Override
        public String schemaRegistryUrl() {
            return shared.schemaRegistryUrl();
        }

        @Override
        public Admin admin() {
            return shared.admin();
        }

        @Override
        public void createTopic(String name, int partitions) {
            shared.createTopic(name, partitions);
        }

        @Override
        public Map<String, Object> clientProperties() {
            return shared.clientProperties();
        }

        @Override
        public String toString() {
            return "KafkaFixture[" + shared.bootstrapServers() + ", " + shared.schemaRegistryUrl() + "]";
        }
    }
}

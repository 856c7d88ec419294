package dev.ferry.embedded.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an integration test class that runs against the embedded Kafka broker and schema registry.
 *
 * <p>Test methods, constructors and {@code @BeforeAll}/{@code @BeforeEach} methods may then take a
 * {@link KafkaFixture} parameter. The class is tagged {@code integration}, so it runs under failsafe (name it
 * {@code *IT}), not with the unit tests.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(EmbeddedKafkaExtension.class)
@Tag("integration")
public @interface FerryKafkaTest {
}

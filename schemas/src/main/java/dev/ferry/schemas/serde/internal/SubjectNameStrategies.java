package dev.ferry.schemas.serde.internal;

import dev.ferry.schemas.serde.RecordNameStrategy;
import dev.ferry.schemas.serde.SubjectNameStrategy;
import dev.ferry.schemas.serde.TopicNameStrategy;
import dev.ferry.schemas.serde.TopicRecordNameStrategy;
import java.lang.reflect.InvocationTargetException;
import org.apache.kafka.common.config.ConfigException;

/**
 * Finds the strategy a configuration names. Confluent's class names
 * ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy}...) map to Ferry's strategies of
 * the same simple name, so property files written for Confluent's serializer keep working.
 */
final class SubjectNameStrategies {

    private SubjectNameStrategies() {
    }

    static SubjectNameStrategy resolve(String key, Object value) {
        if (value == null) {
            return new TopicNameStrategy();
        }
        if (value instanceof SubjectNameStrategy strategy) {
            return strategy;
        }
        if (value instanceof Class<?> type) {
            return instantiate(key, type);
        }
        String name = value.toString().trim();
        switch (name.substring(name.lastIndexOf('.') + 1)) {
            case "TopicNameStrategy":
                return new TopicNameStrategy();
            case "RecordNameStrategy":
                return new RecordNameStrategy();
            case "TopicRecordNameStrategy":
                return new TopicRecordNameStrategy();
            default:
                try {
                    return instantiate(key, Class.forName(name, true, loader()));
                } catch (ClassNotFoundException e) {
                    throw new ConfigException(key, name, "Not TopicNameStrategy, RecordNameStrategy,"
                            + " TopicRecordNameStrategy, nor a class on the classpath");
                }
        }
    }

    private static SubjectNameStrategy instantiate(String key, Class<?> type) {
        if (!SubjectNameStrategy.class.isAssignableFrom(type)) {
            throw new ConfigException(key, type.getName(), "Does not implement " + SubjectNameStrategy.class.getName());
        }
        try {
            return (SubjectNameStrategy) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            throw new ConfigException(key, type.getName(), "Cannot instantiate with a public no-argument constructor: "
                    + cause);
        }
    }

    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : SubjectNameStrategies.class.getClassLoader();
    }
}

package dev.ferry.core;

import java.lang.reflect.InvocationTargetException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Loads a user's plugin (a partition strategy, a scaling policy) by its fully qualified class name, the way Kafka
 * loads a {@code partitioner.class}: from the thread's context class loader, through a public no-argument
 * constructor.
 */
public final class Plugins {

    /** A dotted Java class name; anything else (a built-in short name, a typo) is never looked up. */
    private static final Pattern CLASS_NAME = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)+");

    private Plugins() {
    }

    /** Whether {@code name} has the shape of a fully qualified class name. */
    public static boolean isClassName(String name) {
        return name != null && CLASS_NAME.matcher(name).matches();
    }

    /**
     * A new instance of the class named {@code className}, or empty when the name is not a class name, the class is
     * not found, or it does not implement {@code type}.
     *
     * @throws FerryException when the class exists and implements {@code type} but cannot be constructed (no public
     *     no-argument constructor, or the constructor threw): a plugin that is there but broken is an error to
     *     report, not a name to ignore
     */
    public static <T> Optional<T> instantiate(String className, Class<T> type) {
        if (!isClassName(className)) {
            return Optional.empty();
        }
        Class<?> loaded;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            loaded = Class.forName(className, true, loader == null ? Plugins.class.getClassLoader() : loader);
        } catch (ClassNotFoundException | LinkageError missing) {
            return Optional.empty();
        }
        if (!type.isAssignableFrom(loaded)) {
            return Optional.empty();
        }
        try {
            return Optional.of(type.cast(loaded.getConstructor().newInstance()));
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
            throw new FerryException(className + " implements " + type.getSimpleName()
                    + " but has no public no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new FerryException("The constructor of " + className + " threw " + e.getCause(), e.getCause());
        }
    }
}

package dev.ferry.worker.builtin;

import dev.ferry.worker.Function;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The short names a {@code JAVA} handler may use instead of a class name. */
public final class BuiltInFunctions {

    private static final Map<String, Supplier<Function>> FUNCTIONS = Map.of(
            "echo", Echo::new,
            "sleep", Sleep::new,
            "wordcount", WordCount::new,
            "sha256", Sha256::new,
            "fail", Fail::new);

    /** Every short name, sorted, for error messages and docs. */
    public static final List<String> NAMES = FUNCTIONS.keySet().stream().sorted().toList();

    private BuiltInFunctions() {
    }

    /** A new instance of the built-in named {@code name}, or empty when there is none. */
    public static Optional<Function> create(String name) {
        Supplier<Function> factory = FUNCTIONS.get(name);
        return factory == null ? Optional.empty() : Optional.of(factory.get());
    }
}

package dev.ferry.worker.builtin;

import dev.ferry.worker.Function;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** The short names a {@code JAVA} handler may use instead of a class name. */
public final class BuiltInFunctions {

    private static final Map<String, Supplier<Function>> FUNCTIONS = Map.of(
            "echo", Echo::new,
            "sleep", Sleep::new,
            "wordcount", WordCount::new,
            "sha256", Sha256::new,
            "fail", Fail::new);

    /**
     * The built-ins whose {@code apply} neither blocks nor waits and whose work is bounded by the payload's size
     * (a copy, a digest, a split): a caller may run them on its own thread, with no hand-off to a user thread and
     * no timeout to watch (issue 16). Not {@code sleep} (it waits) nor {@code fail} (it exists to exercise
     * retries, which should look like a user function's).
     */
    private static final Set<Class<? extends Function>> BOUNDED = Set.of(Echo.class, Sha256.class, WordCount.class);

    /** Every short name, sorted, for error messages and docs. */
    public static final List<String> NAMES = FUNCTIONS.keySet().stream().sorted().toList();

    private BuiltInFunctions() {
    }

    /**
     * Whether {@code function} is one of Ferry's own built-ins that neither block nor wait, and so may run on the
     * caller's thread (issue 16: a trigger replica runs them itself). False for every user function.
     */
    public static boolean bounded(Function function) {
        return function != null && BOUNDED.contains(function.getClass());
    }

    /** A new instance of the built-in named {@code name}, or empty when there is none. */
    public static Optional<Function> create(String name) {
        Supplier<Function> factory = FUNCTIONS.get(name);
        return factory == null ? Optional.empty() : Optional.of(factory.get());
    }
}

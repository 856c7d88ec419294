package dev.ferry.core.config;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.triggers.TriggerRef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which pools a worker process runs ({@value WorkerConfig#POOLS}): every function's and trigger's (the default), or
 * only those named. A function's pool is named {@code tenant/function}, a trigger's {@code tenant/trigger:name}, the
 * keys the autoscaler gives pools on {@code ferry.lag} and {@code ferry.scaling}. This is what lets a Kubernetes
 * Deployment per function or trigger (the actuator's layout, issue 15) run that pool and nothing else.
 *
 * @param all whether every pool is run (nothing was named)
 * @param functions the functions whose pools run when not {@code all}
 * @param triggers the triggers whose pools run when not {@code all}
 */
public record PoolSelection(boolean all, Set<FunctionRef> functions, Set<TriggerRef> triggers) {

    /** Marks a trigger's pool in a name: {@code tenant/trigger:name}. */
    public static final String TRIGGER_MARK = "trigger:";

    public static final PoolSelection ALL = new PoolSelection(true, Set.of(), Set.of());

    public PoolSelection {
        functions = Set.copyOf(functions);
        triggers = Set.copyOf(triggers);
    }

    /**
     * Parses pool names; none at all selects every pool.
     *
     * @throws IllegalArgumentException naming the first entry that is neither {@code tenant/function} nor
     *     {@code tenant/trigger:name} with valid names
     */
    public static PoolSelection parse(List<String> names) {
        if (names.isEmpty()) {
            return ALL;
        }
        Set<FunctionRef> functions = new LinkedHashSet<>();
        Set<TriggerRef> triggers = new LinkedHashSet<>();
        List<String> wrong = new ArrayList<>();
        for (String raw : names) {
            String name = raw.trim();
            int slash = name.indexOf('/');
            try {
                if (slash > 0 && name.startsWith(TRIGGER_MARK, slash + 1)) {
                    triggers.add(new TriggerRef(name.substring(0, slash),
                            name.substring(slash + 1 + TRIGGER_MARK.length())));
                } else {
                    functions.add(FunctionRef.parseKey(name));
                }
            } catch (IllegalArgumentException e) {
                wrong.add("'" + raw + "' (" + e.getMessage() + ")");
            }
        }
        if (!wrong.isEmpty()) {
            throw new IllegalArgumentException("pools are named tenant/function or tenant/trigger:name; not "
                    + String.join(", ", wrong));
        }
        return new PoolSelection(false, functions, triggers);
    }

    /** Whether this process runs the pool of {@code function}. */
    public boolean runs(FunctionRef function) {
        return all || functions.contains(function);
    }

    /** Whether this process runs the pool of {@code trigger}. */
    public boolean runs(TriggerRef trigger) {
        return all || triggers.contains(trigger);
    }
}

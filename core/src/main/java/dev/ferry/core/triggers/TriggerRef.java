package dev.ferry.core.triggers;

import dev.ferry.core.FunctionRef;
import java.util.Objects;

/**
 * A trigger's identity: its tenant and name, both following the name rule of functions
 * ({@link FunctionRef#NAME}), so the record key {@code tenant/name} and the default group
 * {@code ferry-trigger.<tenant>.<name>} are always legal.
 */
public record TriggerRef(String tenant, String name) {

    public TriggerRef {
        FunctionRef.requireValidName("tenant", tenant);
        FunctionRef.requireValidName("trigger", name);
    }

    /** Parses the {@code tenant/name} key of {@code ferry.triggers}. */
    public static TriggerRef parseKey(String key) {
        Objects.requireNonNull(key, "key");
        int slash = key.indexOf('/');
        if (slash < 0 || slash != key.lastIndexOf('/')) {
            throw new IllegalArgumentException("Expected a key of the form tenant/name, got '" + key + "'");
        }
        return new TriggerRef(key.substring(0, slash), key.substring(slash + 1));
    }

    /** The record key on {@code ferry.triggers}: {@code tenant/name}. */
    public String key() {
        return tenant + "/" + name;
    }

    /** The function the trigger runs: a function of the same tenant. */
    public FunctionRef function(String function) {
        return new FunctionRef(tenant, function);
    }

    @Override
    public String toString() {
        return key();
    }
}

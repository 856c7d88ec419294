package dev.ferry.autoscaler;

import dev.ferry.core.FunctionRef;
import dev.ferry.core.triggers.TriggerRef;
import dev.ferry.schemas.LagSample;
import dev.ferry.schemas.ScalingDecision;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * A pool the autoscaler sizes: a function's worker pool, or a trigger's pool (issue 14: the replicas in the
 * trigger's group on its source topics). It is also the record key of the pool's samples on {@code ferry.lag} and
 * of its decisions on the compacted {@code ferry.scaling}:
 * <ul>
 *   <li>a function's pool: {@code <tenant>/<function>}, as it always was;</li>
 *   <li>a trigger's pool: {@code <tenant>/trigger:<name>}.</li>
 * </ul>
 * The two cannot collide: a function name never holds {@code ':'} ({@link FunctionRef#NAME}). A trigger pool is
 * keyed by the trigger alone, not by its function: the function a trigger runs can change with an update while the
 * pool stays the same, and a key that changed with it would leave a stale decision on {@code ferry.scaling} whose
 * tombstone could stop the live pool. The function the trigger runs travels in the value ({@code function}, with
 * {@code trigger} set to the trigger's name).
 *
 * <p>Readers of those topics that know only function pools must skip trigger pools: a key that
 * {@link #parseKey} reads as a trigger pool, or a value whose {@code trigger} is set.
 */
public record PoolRef(String tenant, String name, boolean trigger) {

    /** What a trigger pool's key holds between the tenant and the trigger's name. */
    public static final String TRIGGER_PREFIX = "trigger:";

    public PoolRef {
        FunctionRef.requireValidName("tenant", tenant);
        FunctionRef.requireValidName(trigger ? "trigger" : "function", name);
    }

    public static PoolRef of(FunctionRef function) {
        return new PoolRef(function.tenant(), function.function(), false);
    }

    public static PoolRef of(TriggerRef trigger) {
        return new PoolRef(trigger.tenant(), trigger.name(), true);
    }

    /** The pool a sample is of: its trigger's when {@code trigger} is set, else its function's. */
    public static PoolRef of(LagSample sample) {
        return sample.getTrigger() == null ? new PoolRef(sample.getTenant(), sample.getFunction(), false)
                : new PoolRef(sample.getTenant(), sample.getTrigger(), true);
    }

    /** The pool a decision is for: its trigger's when {@code trigger} is set, else its function's. */
    public static PoolRef of(ScalingDecision decision) {
        return decision.getTrigger() == null ? new PoolRef(decision.getTenant(), decision.getFunction(), false)
                : new PoolRef(decision.getTenant(), decision.getTrigger(), true);
    }

    /**
     * Parses a key of {@code ferry.lag} or {@code ferry.scaling} (see the class comment).
     *
     * @throws IllegalArgumentException naming the key when it is neither form
     */
    public static PoolRef parseKey(String key) {
        Objects.requireNonNull(key, "key");
        int slash = key.indexOf('/');
        if (slash < 0 || slash != key.lastIndexOf('/')) {
            throw new IllegalArgumentException("Expected a key of the form tenant/function or tenant/"
                    + TRIGGER_PREFIX + "name, got '" + key + "'");
        }
        String tenant = key.substring(0, slash);
        String rest = key.substring(slash + 1);
        return rest.startsWith(TRIGGER_PREFIX)
                ? new PoolRef(tenant, rest.substring(TRIGGER_PREFIX.length()), true)
                : new PoolRef(tenant, rest, false);
    }

    /** The record key on {@code ferry.lag} and {@code ferry.scaling}. */
    public String key() {
        return tenant + "/" + (trigger ? TRIGGER_PREFIX : "") + name;
    }

    /**
     * Orders pools as their {@link #key()}s compare, without building the keys: the controller's map of 1,000 pools
     * is looked up for every quiet pool every poll, and building two keys per comparison made that lookup the
     * collector's largest cost in an idle {@code ferry dev} (issue 16).
     */
    public static final Comparator<PoolRef> BY_KEY = PoolRef::compareKeys;

    private static int compareKeys(PoolRef a, PoolRef b) {
        int lengthA = a.keyLength();
        int lengthB = b.keyLength();
        int common = Math.min(lengthA, lengthB);
        for (int i = 0; i < common; i++) {
            char x = a.keyChar(i);
            char y = b.keyChar(i);
            if (x != y) {
                return x - y;
            }
        }
        return lengthA - lengthB;
    }

    private int keyLength() {
        return tenant.length() + 1 + (trigger ? TRIGGER_PREFIX.length() : 0) + name.length();
    }

    /** The character at {@code index} of {@link #key()}. */
    private char keyChar(int index) {
        if (index < tenant.length()) {
            return tenant.charAt(index);
        }
        int i = index - tenant.length();
        if (i == 0) {
            return '/';
        }
        i--;
        if (trigger) {
            if (i < TRIGGER_PREFIX.length()) {
                return TRIGGER_PREFIX.charAt(i);
            }
            i -= TRIGGER_PREFIX.length();
        }
        return name.charAt(i);
    }

    /** The function whose worker pool this is; empty for a trigger's pool. */
    public Optional<FunctionRef> function() {
        return trigger ? Optional.empty() : Optional.of(new FunctionRef(tenant, name));
    }

    /** The trigger whose pool this is; empty for a function's worker pool. */
    public Optional<TriggerRef> triggerRef() {
        return trigger ? Optional.of(new TriggerRef(tenant, name)) : Optional.empty();
    }

    @Override
    public String toString() {
        return key();
    }
}

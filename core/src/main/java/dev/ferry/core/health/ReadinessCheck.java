package dev.ferry.core.health;

import java.util.Optional;

/**
 * One thing a process needs working before it is ready: a topic tail caught up, a dependency reachable, the
 * built-in functions deployed. Asked by a readiness probe on its own thread, possibly often, so it answers from
 * state already at hand (or a cached look) within milliseconds.
 */
@FunctionalInterface
public interface ReadinessCheck {

    /** Always ready. */
    ReadinessCheck READY = Optional::empty;

    /**
     * Empty when ready; otherwise why not, in a few words an operator can act on (it is shown in the body of the
     * {@code 503}).
     */
    Optional<String> problem();
}

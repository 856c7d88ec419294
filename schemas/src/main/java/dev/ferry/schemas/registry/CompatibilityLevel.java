package dev.ferry.schemas.registry;

import java.util.Locale;

/** The compatibility rules a registry enforces when a new version is registered under a subject. */
public enum CompatibilityLevel {
    NONE,
    BACKWARD,
    BACKWARD_TRANSITIVE,
    FORWARD,
    FORWARD_TRANSITIVE,
    FULL,
    FULL_TRANSITIVE;

    /** Parses a level as registries spell it, in any case. */
    public static CompatibilityLevel parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("Unknown compatibility level '" + text + "'", e);
        }
    }
}

package dev.ferry.embedded.internal.registry;

/** A version in a URL: a number from 1, or {@code latest} (also spelled {@code -1}, as Confluent allows). */
final class VersionSpec {

    static final int LATEST = -1;

    private VersionSpec() {
    }

    static int parse(String spec) {
        if (spec == null) {
            throw RegistryException.invalidVersion("null");
        }
        if ("latest".equalsIgnoreCase(spec.trim())) {
            return LATEST;
        }
        try {
            int version = Integer.parseInt(spec.trim());
            if (version == LATEST || version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // falls through to the error naming the bad value
        }
        throw RegistryException.invalidVersion(spec);
    }
}

package dev.ferry.worker.internal;

import dev.ferry.schemas.InvocationRequest;

/**
 * A work record's value decoded once on the polling thread: the request, or why it could not be read.
 *
 * @param registryLost whether the schema registry, not the record, is why it could not be read (the registry gave
 *     no answer for the record's schema id): the record waits for the registry and is never dead-lettered for it
 *     ({@link dev.ferry.core.runtime.RegistryWatch})
 */
public record Decoded(InvocationRequest request, RuntimeException error, boolean registryLost) {

    static Decoded of(InvocationRequest request) {
        return new Decoded(request, null, false);
    }

    static Decoded failed(RuntimeException error, boolean registryLost) {
        return new Decoded(null, error, registryLost);
    }

    public boolean ok() {
        return request != null;
    }
}

package dev.ferry.worker.internal;

import dev.ferry.schemas.InvocationRequest;

/** A work record's value decoded once on the polling thread: the request, or why it could not be read. */
public record Decoded(InvocationRequest request, RuntimeException error) {

    public boolean ok() {
        return request != null;
    }
}

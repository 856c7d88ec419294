package dev.ferry.worker.builtin;

import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;

/** {@code echo}: returns its payload, with the request's content type. */
public final class Echo implements Function {
    @Override
    public byte[] apply(Invocation in) {
        return in.payload();
    }
}

package dev.ferry.worker.builtin;

import dev.ferry.core.RetriableFerryException;
import dev.ferry.worker.Function;
import dev.ferry.worker.Invocation;

/** {@code fail}: always throws, to exercise retries, results and the dead-letter topic. */
public final class Fail implements Function {
    @Override
    public byte[] apply(Invocation in) {
        throw new RetriableFerryException("fail always fails (attempt " + in.attempt() + " of invocation "
                + in.invocationId() + ")");
    }
}

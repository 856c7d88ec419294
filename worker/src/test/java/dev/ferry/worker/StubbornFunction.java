package dev.ferry.worker;

/**
 * A test function that ignores interruption: on the payload {@code spin} it busy-waits while {@link #SPIN} is
 * set, never looking at its interrupt, like a tight loop in user code; any other payload is echoed. Tests clear
 * the flag at the end so the stuck threads end.
 */
public final class StubbornFunction implements Function {

    static volatile boolean SPIN = true;

    @Override
    public byte[] apply(Invocation in) {
        if ("spin".equals(in.payloadAsString())) {
            while (SPIN) {
                Thread.onSpinWait();
            }
        }
        return in.payload();
    }
}

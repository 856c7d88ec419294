package dev.ferry.autoscaler.internal;

import java.util.OptionalDouble;

/** An exponentially weighted moving average; empty until the first observation, which it takes as is. */
public final class Ewma {

    private final double alpha;
    private double value;
    private boolean seeded;

    public Ewma(double alpha) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
        }
        this.alpha = alpha;
    }

    public void observe(double x) {
        value = seeded ? alpha * x + (1 - alpha) * value : x;
        seeded = true;
    }

    public OptionalDouble value() {
        return seeded ? OptionalDouble.of(value) : OptionalDouble.empty();
    }
}

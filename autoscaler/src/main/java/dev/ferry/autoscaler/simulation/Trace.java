package dev.ferry.autoscaler.simulation;

import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

/**
 * An arrival trace: records per second as a function of the second since the start. Deterministic: the bursty
 * trace draws its bursts from a fixed seed, so every run sees the same load.
 */
public record Trace(String name, String description, int seconds, DoubleUnaryOperator rate) {

    /** 5/s, a step to 40/s for 15 minutes, back to 5/s. */
    public static Trace step() {
        return new Trace("step", "5/s, 40/s from minute 5 to 20, then 5/s", 1800,
                t -> t >= 300 && t < 1200 ? 40 : 5);
    }

    /** 5/s with a one-minute spike to 80/s. */
    public static Trace spike() {
        return new Trace("spike", "5/s with 80/s for one minute at minute 10", 1800,
                t -> t >= 600 && t < 660 ? 80 : 5);
    }

    /** From 0 up to 60/s over 20 minutes, then down to 0 over 10. */
    public static Trace ramp() {
        return new Trace("ramp", "0 to 60/s over 20 min, back to 0 over 10 min", 1800,
                t -> t < 1200 ? 60 * t / 1200 : Math.max(0, 60 * (1800 - t) / 600));
    }

    /** A day compressed into 10 minutes: 25/s plus or minus 20, three times. */
    public static Trace diurnal() {
        return new Trace("diurnal", "25/s +- 20 in a 10-minute cycle", 1800,
                t -> 25 + 20 * Math.sin(2 * Math.PI * t / 600));
    }

    /** 3/s with bursts of 50/s lasting 5 to 20 s, 30 to 120 s apart (seeded). */
    public static Trace bursty() {
        Random random = new Random(7);
        double[] rates = new double[1800];
        java.util.Arrays.fill(rates, 3);
        int t = 20;
        while (t < rates.length) {
            int length = 5 + random.nextInt(16);
            for (int i = t; i < Math.min(rates.length, t + length); i++) {
                rates[i] = 50;
            }
            t += length + 30 + random.nextInt(91);
        }
        return new Trace("bursty", "3/s with 50/s bursts of 5-20 s, 30-120 s apart", 1800,
                s -> rates[Math.min(rates.length - 1, (int) s)]);
    }

    public static List<Trace> all() {
        return List.of(step(), spike(), ramp(), diurnal(), bursty());
    }

    public double at(double second) {
        return Math.max(0, rate.applyAsDouble(second));
    }
}

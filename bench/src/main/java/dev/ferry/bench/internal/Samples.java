package dev.ferry.bench.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The repetitions of one measurement. Reports the median, which one slow repetition (a GC, another build on the
 * machine) does not move, and whether any repetition strays more than 15 % from it.
 */
public final class Samples {

    static final double NOISE_LIMIT = 0.15;

    private final List<Double> values = new ArrayList<>();

    public Samples add(double value) {
        values.add(value);
        return this;
    }

    public static Samples of(double... values) {
        Samples samples = new Samples();
        for (double v : values) {
            samples.add(v);
        }
        return samples;
    }

    public int count() {
        return values.size();
    }

    public List<Double> values() {
        return List.copyOf(values);
    }

    public double median() {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The largest relative distance of a repetition from the median. */
    public double spread() {
        double median = median();
        if (values.isEmpty() || median == 0) {
            return 0;
        }
        return values.stream().mapToDouble(v -> Math.abs(v - median) / Math.abs(median)).max().orElse(0);
    }

    public boolean noisy() {
        return spread() > NOISE_LIMIT;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(Format.number(values.get(i)));
        }
        return sb.append(']').toString();
    }
}

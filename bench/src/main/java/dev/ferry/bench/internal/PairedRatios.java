package dev.ferry.bench.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The ratios of repetitions run side by side (Ferry's i-th over the baseline's i-th, measured back to back or at
 * the same time), and whether they decide a goal beyond noise (issue 16).
 *
 * <p>The decision is a one-sided sign test over the pairs at {@value #ALPHA}: if the true median ratio sat exactly
 * at the goal, each pair would land on either side of it with probability ½, so {@code k} of {@code n} pairs on one
 * side happen by chance with probability {@code P(Bin(n, ½) ≥ k)}. The goal is met when that chance for the pairs
 * that meet it is at most {@value #ALPHA}, missed when it is for the pairs that miss it, and undecided otherwise.
 * It assumes nothing about the shape of the noise (a GC pause, another build on the machine) and needs at least
 * five pairs to decide anything: 5 of 5 on one side has a chance of 1/32.
 */
public final class PairedRatios {

    /** The chance of deciding a goal that noise alone would decide (one-sided). */
    static final double ALPHA = 0.05;

    /** Whether the pairs put the goal beyond noise. */
    public enum Verdict {
        MET("met"), MISSED("missed"), UNDECIDED("undecided within noise");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final List<Double> ratios;

    private PairedRatios(List<Double> ratios) {
        this.ratios = List.copyOf(ratios);
    }

    /**
     * Pairs the i-th value of {@code ferry} with the i-th of {@code baseline}.
     *
     * @throws IllegalArgumentException when the two hold different numbers of repetitions
     */
    public static PairedRatios of(Samples ferry, Samples baseline) {
        if (ferry.count() != baseline.count()) {
            throw new IllegalArgumentException("Paired repetitions need as many of each: " + ferry.count()
                    + " vs " + baseline.count());
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < ferry.count(); i++) {
            double b = baseline.values().get(i);
            ratios.add(b == 0 ? Double.NaN : ferry.values().get(i) / b);
        }
        return new PairedRatios(ratios);
    }

    public List<Double> values() {
        return ratios;
    }

    public int count() {
        return ratios.size();
    }

    public double median() {
        return Samples.of(ratios.stream().mapToDouble(Double::doubleValue).toArray()).median();
    }

    public double min() {
        return ratios.isEmpty() ? Double.NaN : Collections.min(ratios);
    }

    public double max() {
        return ratios.isEmpty() ? Double.NaN : Collections.max(ratios);
    }

    /** How many pairs meet {@code goal}: at least it when {@code higherIsBetter}, at most otherwise. */
    public int meeting(double goal, boolean higherIsBetter) {
        return (int) ratios.stream().filter(r -> higherIsBetter ? r >= goal : r <= goal).count();
    }

    public Verdict decide(double goal, boolean higherIsBetter) {
        int n = count();
        int meeting = meeting(goal, higherIsBetter);
        if (n > 0 && atLeastByChance(meeting, n) <= ALPHA) {
            return Verdict.MET;
        }
        if (n > 0 && atLeastByChance(n - meeting, n) <= ALPHA) {
            return Verdict.MISSED;
        }
        return Verdict.UNDECIDED;
    }

    /** E.g. {@code paired ratios 0.81-0.93, 4 of 5 ≥ 0.85}. */
    public String describe(double goal, boolean higherIsBetter) {
        return String.format(Locale.ROOT, "paired ratios %s-%s, %d of %d %s %s", Format.ratio(min()),
                Format.ratio(max()), meeting(goal, higherIsBetter), count(), higherIsBetter ? "≥" : "≤",
                Format.ratio(goal));
    }

    /** {@code P(Bin(n, ½) ≥ k)}. */
    static double atLeastByChance(int k, int n) {
        double total = 0;
        for (int i = k; i <= n; i++) {
            total += binomial(n, i);
        }
        return total / Math.pow(2, n);
    }

    private static double binomial(int n, int k) {
        double c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i;
        }
        return c;
    }
}

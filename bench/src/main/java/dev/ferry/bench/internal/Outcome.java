package dev.ferry.bench.internal;

import dev.ferry.bench.internal.PairedRatios.Verdict;

/**
 * One scenario's result: Ferry's median and the baseline's, in the scenario's unit, their ratio and its goal.
 *
 * @param higherIsBetter whether the goal is a floor (throughput) or a ceiling (latency, lag)
 * @param goal the ratio Ferry aims for: at least it when {@code higherIsBetter}, at most otherwise; infinite when
 *     the goal is the condition alone (an absolute figure, such as a first call's p50)
 * @param details extra figures for the scenario's line (percentiles, counts, the repetitions)
 * @param condition a second part of the goal besides the ratio (empty when none), e.g. "no more replica-seconds"
 * @param conditionVerdict whether that part holds: met or missed, or for a paired outcome also undecided
 * @param paired whether the i-th repetitions of both sides ran side by side: then the ratio is the median of the
 *        paired ratios and the goal is decided by a sign test over them ({@link PairedRatios}): met, missed or
 *        undecided within noise. Otherwise the ratio is the ratio of the medians, met or missed.
 */
public record Outcome(String scenario, String unit, Samples ferry, Samples baseline, double ratio,
        boolean higherIsBetter, double goal, String details, String condition, Verdict conditionVerdict,
        boolean paired) {

    public static Outcome of(String scenario, String unit, Samples ferry, Samples baseline, boolean higherIsBetter,
            double goal, String details) {
        double ratio = baseline.median() == 0 ? Double.NaN : ferry.median() / baseline.median();
        return new Outcome(scenario, unit, ferry, baseline, ratio, higherIsBetter, goal, details, "", Verdict.MET,
                false);
    }

    /**
     * An outcome of repetitions run in pairs (alternating sides, or both at once): the ratio is the median of the
     * paired ratios, and the goal is met, missed, or undecided within noise (issue 16). The details end with the
     * pairs' spread.
     */
    public static Outcome paired(String scenario, String unit, Samples ferry, Samples baseline,
            boolean higherIsBetter, double goal, String details) {
        PairedRatios pairs = PairedRatios.of(ferry, baseline);
        return new Outcome(scenario, unit, ferry, baseline, pairs.median(), higherIsBetter, goal,
                details + "; " + pairs.describe(goal, higherIsBetter), "", Verdict.MET, true);
    }

    /** The same outcome whose goal also asks {@code condition}. */
    public Outcome withCondition(String text, boolean met) {
        return withCondition(text, met ? Verdict.MET : Verdict.MISSED);
    }

    /** The same outcome whose goal also asks {@code condition}, decided as the pairs decide it. */
    public Outcome withCondition(String text, Verdict verdict) {
        return new Outcome(scenario, unit, ferry, baseline, ratio, higherIsBetter, goal, details, text, verdict,
                paired);
    }

    public boolean noisy() {
        return ferry.noisy() || baseline.noisy();
    }

    /**
     * Met, missed or (paired outcomes only) undecided within noise. A condition that does not hold makes it
     * missed whatever the ratio says; met needs both met.
     */
    public Verdict verdict() {
        Verdict byRatio;
        if (paired) {
            byRatio = PairedRatios.of(ferry, baseline).decide(goal, higherIsBetter);
        } else {
            byRatio = (higherIsBetter ? ratio >= goal : ratio <= goal) ? Verdict.MET : Verdict.MISSED;
        }
        if (byRatio == Verdict.MISSED || conditionVerdict == Verdict.MISSED) {
            return Verdict.MISSED;
        }
        return byRatio == Verdict.MET && conditionVerdict == Verdict.MET ? Verdict.MET : Verdict.UNDECIDED;
    }

    public boolean goalMet() {
        return verdict() == Verdict.MET;
    }

    /** The goal as text; a goal with no ratio part (an infinite {@code goal}) is its condition alone. */
    public String goalText() {
        if (Double.isInfinite(goal)) {
            return condition;
        }
        return (higherIsBetter ? "≥ " : "≤ ") + Format.ratio(goal) + (condition.isEmpty() ? "" : " at " + condition);
    }

    /** The scenario's line; it ends in {@code ratio=<number>} for scripts. */
    public String line() {
        Verdict verdict = verdict();
        return scenario + ": ferry=" + Format.number(ferry.median()) + " " + unit + " baseline="
                + Format.number(baseline.median()) + " " + unit + " goal " + goalText()
                + (verdict == Verdict.MET ? " met" : verdict == Verdict.MISSED ? " MISSED" : " UNDECIDED")
                + (noisy() ? " noisy" : "") + (details.isEmpty() ? "" : " (" + details + ")")
                + " ratio=" + Format.ratio(ratio);
    }
}

package dev.ferry.bench.internal;

/**
 * One scenario's result: Ferry's median and the baseline's, in the scenario's unit, their ratio and its goal.
 *
 * @param higherIsBetter whether the goal is a floor (throughput) or a ceiling (latency, lag)
 * @param goal the ratio Ferry aims for: at least it when {@code higherIsBetter}, at most otherwise; infinite when
 *     the goal is the condition alone (an absolute figure, such as a first call's p50)
 * @param details extra figures for the scenario's line (percentiles, counts, the repetitions)
 * @param condition a second part of the goal besides the ratio (empty when none), e.g. "no more replica-seconds"
 * @param conditionMet whether that part holds
 */
public record Outcome(String scenario, String unit, Samples ferry, Samples baseline, double ratio,
        boolean higherIsBetter, double goal, String details, String condition, boolean conditionMet) {

    public static Outcome of(String scenario, String unit, Samples ferry, Samples baseline, boolean higherIsBetter,
            double goal, String details) {
        double ratio = baseline.median() == 0 ? Double.NaN : ferry.median() / baseline.median();
        return new Outcome(scenario, unit, ferry, baseline, ratio, higherIsBetter, goal, details, "", true);
    }

    /** The same outcome whose goal also asks {@code condition}. */
    public Outcome withCondition(String text, boolean met) {
        return new Outcome(scenario, unit, ferry, baseline, ratio, higherIsBetter, goal, details, text, met);
    }

    public boolean noisy() {
        return ferry.noisy() || baseline.noisy();
    }

    public boolean goalMet() {
        return conditionMet && (higherIsBetter ? ratio >= goal : ratio <= goal);
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
        return scenario + ": ferry=" + Format.number(ferry.median()) + " " + unit + " baseline="
                + Format.number(baseline.median()) + " " + unit + " goal " + goalText()
                + (goalMet() ? " met" : " MISSED") + (noisy() ? " noisy" : "")
                + (details.isEmpty() ? "" : " (" + details + ")") + " ratio=" + Format.ratio(ratio);
    }
}

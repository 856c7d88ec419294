package dev.ferry.autoscaler.simulation;

import java.util.List;
import java.util.Locale;

/** Renders simulation comparisons as a markdown table and as an SVG chart (one row per trace). */
final class ReportWriter {

    private static final int PANEL_WIDTH = 440;
    private static final int PANEL_HEIGHT = 120;
    private static final int ROW_HEIGHT = PANEL_HEIGHT + 50;
    private static final String FERRY_COLOR = "#1f77b4";
    private static final String KEDA_COLOR = "#ff7f0e";
    private static final String NEED_COLOR = "#999999";

    private ReportWriter() {
    }

    static String markdown(List<Simulator.Comparison> comparisons) {
        StringBuilder out = new StringBuilder();
        out.append("| trace | scaler | replica-seconds | lag-seconds | p99 queueing delay (s) | direction changes |\n");
        out.append("|---|---|---:|---:|---:|---:|\n");
        for (Simulator.Comparison c : comparisons) {
            for (SimulationResult r : List.of(c.ferry(), c.keda())) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.1f | %d |%n", r.trace(),
                        r.scaler(), r.replicaSeconds(), r.lagSeconds(), r.p99DelaySeconds(), r.directionChanges()));
            }
        }
        out.append("\n| trace | load | Ferry lag-s / KEDA | Ferry replica-s / KEDA | goal met (lag <= 1/2, replica-s <= 1) |\n");
        out.append("|---|---|---:|---:|---|\n");
        for (Simulator.Comparison c : comparisons) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %s |%n", c.trace().name(),
                    c.trace().description(), ratio(c.ferry().lagSeconds(), c.keda().lagSeconds()),
                    ratio(c.ferry().replicaSeconds(), c.keda().replicaSeconds()), c.ferryWins() ? "yes" : "NO"));
        }
        return out.toString();
    }

    static String svg(List<Simulator.Comparison> comparisons) {
        int width = 2 * PANEL_WIDTH + 120;
        int height = comparisons.size() * ROW_HEIGHT + 60;
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", width, height));
        out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        out.append(text(20, 20, "Replicas (left) and backlog in records (right) per trace: "
                + "Ferry blue, KEDA orange, replicas the arrival rate needs grey", 13));
        for (int i = 0; i < comparisons.size(); i++) {
            Simulator.Comparison c = comparisons.get(i);
            int top = 50 + i * ROW_HEIGHT;
            double[] need = new double[c.ferry().arrivals().length];
            for (int s = 0; s < need.length; s++) {
                need[s] = c.ferry().arrivals()[s] / Simulator.PER_REPLICA_RATE;
            }
            double maxReplicas = Math.max(max(toDouble(c.ferry().replicas())), max(toDouble(c.keda().replicas())));
            maxReplicas = Math.max(maxReplicas, max(need));
            panel(out, 60, top, c.trace().name() + ": replicas", maxReplicas, List.of(
                    new Series(need, NEED_COLOR), new Series(toDouble(c.keda().replicas()), KEDA_COLOR),
                    new Series(toDouble(c.ferry().replicas()), FERRY_COLOR)));
            double maxBacklog = Math.max(1, Math.max(max(c.ferry().backlog()), max(c.keda().backlog())));
            panel(out, 100 + PANEL_WIDTH, top, c.trace().name() + ": backlog", maxBacklog, List.of(
                    new Series(c.keda().backlog(), KEDA_COLOR), new Series(c.ferry().backlog(), FERRY_COLOR)));
        }
        out.append("</svg>\n");
        return out.toString();
    }

    private record Series(double[] values, String color) {
    }

    private static void panel(StringBuilder out, int left, int top, String title, double max, List<Series> series) {
        out.append(text(left, top - 6, title, 12));
        out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#cccccc\"/>%n", left, top, PANEL_WIDTH, PANEL_HEIGHT));
        out.append(text(left - 40, top + 10, String.format(Locale.ROOT, "%.0f", max), 10));
        out.append(text(left - 40, top + PANEL_HEIGHT, "0", 10));
        for (Series s : series) {
            StringBuilder points = new StringBuilder();
            int n = s.values().length;
            int step = Math.max(1, n / PANEL_WIDTH);
            for (int t = 0; t < n; t += step) {
                double x = left + (double) t / n * PANEL_WIDTH;
                double y = top + PANEL_HEIGHT - s.values()[t] / max * PANEL_HEIGHT;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            out.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
                    + "points=\"%s\"/>%n", s.color(), points.toString().trim()));
        }
        out.append(text(left, top + PANEL_HEIGHT + 14, "0 s", 10));
        out.append(text(left + PANEL_WIDTH - 40, top + PANEL_HEIGHT + 14,
                series.get(0).values().length + " s", 10));
    }

    private static String text(int x, int y, String content, int size) {
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"%d\">%s</text>%n", x, y, size,
                content.replace("&", "&amp;").replace("<", "&lt;"));
    }

    private static double ratio(double a, double b) {
        return b == 0 ? (a == 0 ? 1 : Double.POSITIVE_INFINITY) : a / b;
    }

    private static double max(double[] values) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, v);
        }
        return max;
    }

    private static double[] toDouble(int[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}

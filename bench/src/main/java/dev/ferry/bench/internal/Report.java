package dev.ferry.bench.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/** The run as a markdown table, with the date, the machine and how busy it was. */
public final class Report {

    private Report() {
    }

    public static String markdown(List<Outcome> outcomes, List<String> failures, Machine machine, boolean quick,
            double loadBefore, double loadAfter, Instant at) {
        StringBuilder md = new StringBuilder();
        md.append("# Ferry benchmark results\n\n");
        md.append("Run ").append(at.truncatedTo(ChronoUnit.SECONDS)).append(quick ? " (--quick)" : " (full)")
                .append(" on ").append(machine.describe()).append(String.format(Locale.ROOT,
                        "; load average %.2f before, %.2f after.%n%n", loadBefore, loadAfter));
        md.append("| scenario | Ferry | baseline | ratio | goal | machine |\n");
        md.append("|---|---|---|---|---|---|\n");
        String where = String.format(Locale.ROOT, "%d CPUs, %d MiB, Java %s, load %.1f", machine.cpus(),
                machine.memoryMb(), System.getProperty("java.version"), loadAfter);
        for (Outcome o : outcomes) {
            md.append("| ").append(o.scenario())
                    .append(" | ").append(Format.number(o.ferry().median())).append(' ').append(o.unit())
                    .append(" | ").append(Format.number(o.baseline().median())).append(' ').append(o.unit())
                    .append(" | ").append(Format.ratio(o.ratio())).append(o.noisy() ? " (noisy)" : "")
                    .append(" | ").append(o.goalText()).append(' ').append(o.verdict().text())
                    .append(" | ").append(where).append(" |\n");
        }
        md.append('\n');
        for (Outcome o : outcomes) {
            md.append("- **").append(o.scenario()).append("**: ").append(o.details()).append("; Ferry ")
                    .append(o.ferry()).append(", baseline ").append(o.baseline()).append('\n');
        }
        for (String failure : failures) {
            md.append("- **failed**: ").append(failure).append('\n');
        }
        md.append("\nCPU: ").append(machine.cpuModel()).append(". Ratios compare Ferry with its baseline measured in ")
                .append("the same run on the same broker; absolute numbers vary with the machine and its load.\n");
        return md.toString();
    }
}

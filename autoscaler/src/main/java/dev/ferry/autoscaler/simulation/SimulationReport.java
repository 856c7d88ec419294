package dev.ferry.autoscaler.simulation;

import dev.ferry.core.FerryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every trace under Ferry and the KEDA baseline and writes {@code report.md} (the table) and
 * {@code report.svg} (the chart) into a directory, {@code target/simulation} by default.
 */
public final class SimulationReport {

    private static final Logger log = LoggerFactory.getLogger(SimulationReport.class);

    private SimulationReport() {
    }

    /** {@code args[0]}: the output directory (default {@code target/simulation}). */
    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/simulation");
        Path report = write(dir);
        log.info("Simulation report written to {} and {}", report, dir.resolve("report.svg"));
    }

    /** Runs the simulation and writes both files; returns the path of {@code report.md}. */
    public static Path write(Path dir) {
        List<Simulator.Comparison> comparisons = Simulator.compareAll();
        String markdown = "# Ferry autoscaler vs a KEDA-equivalent baseline\n\n"
                + "Each trace runs 30 simulated minutes through a queue served by replicas of 10 records/s that take "
                + Simulator.STARTUP.toSeconds() + " s to start (a QUEUE function, " + Simulator.PARTITIONS
                + " partitions, up to " + Simulator.MAX_REPLICAS + " replicas, target lag "
                + Simulator.TARGET_LAG + " per replica). Ferry: predictive policy, 1 s samples, 30 s stabilization. "
                + "KEDA: activation on its 30 s poll, resizes on the HPA's 15 s sync by at most max(2x, +4 pods), "
                + "ceil(lag / lagThreshold) capped at the partitions, HPA 10 % tolerance, "
                + "300 s scale-down stabilization, 300 s cooldown to zero.\n\n"
                + ReportWriter.markdown(comparisons) + "\n![chart](report.svg)\n";
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("report.md"), markdown, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("report.svg"), ReportWriter.svg(comparisons), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FerryException("Cannot write the simulation report to " + dir + ": " + e.getMessage(), e);
        }
        return dir.resolve("report.md");
    }
}

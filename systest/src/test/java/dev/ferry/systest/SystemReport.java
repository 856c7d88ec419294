package dev.ferry.systest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The table of every case run in this JVM: printed as each case ends and rewritten to
 * {@code systest/target/system-tests.md} (system property {@code systest.report}), one row per case.
 */
final class SystemReport {

    /** One case's row. */
    record Row(String name, String layout, String fault, Verifier.Verdict verdict, String notes) {
    }

    private static final List<Row> ROWS = new ArrayList<>();
    private static final Instant STARTED = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private SystemReport() {
    }

    /** Adds a case's row, prints the table so far and writes it to the report file. */
    static synchronized void add(Row row) {
        ROWS.add(row);
        String table = table();
        System.out.println();
        System.out.println(table);
        Path file = Path.of(System.getProperty("systest.report", "target/system-tests.md"));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, table);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    static synchronized String table() {
        StringBuilder out = new StringBuilder();
        out.append("System tests run ").append(STARTED).append(" on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, Java ")
                .append(System.getProperty("java.version")).append("\n\n");
        out.append("| case | processes | accepted (sync+async) | results | lost | answered twice (unexplained) "
                + "| unacknowledged | billed ms = usage ms | usage exact | longest gap: results / sync replies "
                + "| verdict |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : ROWS) {
            Verifier.Verdict v = row.verdict();
            out.append("| ").append(row.name())
                    .append(" | ").append(row.layout())
                    .append(" | ").append(v.acceptedSync() + v.acceptedAsync()).append(" (")
                    .append(v.acceptedSync()).append("+").append(v.acceptedAsync()).append(")")
                    .append(v.gaveUp() > 0 ? ", " + v.gaveUp() + " gave up" : "")
                    .append(" | ").append(v.results())
                    .append(" | ").append(v.lost())
                    .append(" | ").append(v.answeredTwice()).append(" (").append(v.unexplainedRepeats()).append(")")
                    .append(" | ").append(v.unacknowledged())
                    .append(" | ").append(v.expectedBilledMs()).append(v.usageExact() ? " = " : " ≠ ")
                    .append(v.usageBilledMs())
                    .append(" | ").append(v.usageExact() ? "yes" : "NO")
                    .append(" | ").append(seconds(v.longestResultGapMs())).append(" / ")
                    .append(seconds(v.longestSyncGapMs()))
                    .append(" | ").append(v.passed() ? "pass" : "FAIL")
                    .append(" |\n");
        }
        out.append("\n");
        for (Row row : ROWS) {
            out.append("- **").append(row.name()).append("**: ").append(row.fault());
            if (!row.notes().isBlank()) {
                out.append(" ").append(row.notes());
            }
            Verifier.Verdict v = row.verdict();
            out.append(" Results by worker: ").append(v.resultsByWorker()).append(".");
            if (!v.lostIds().isEmpty()) {
                out.append(" Lost (first 20): ").append(v.lostIds()).append(".");
            }
            if (!v.unexplained().isEmpty()) {
                out.append(" Unexplained repeats (first 20): ").append(v.unexplained()).append(".");
            }
            if (!v.usageExact()) {
                out.append(" Usage: billed ").append(v.expectedBilledMs()).append(" ms / ").append(v.expectedMbMs())
                        .append(" MB-ms by the results, ").append(v.usageBilledMs()).append(" ms / ")
                        .append(v.usageMbMs()).append(" MB-ms on ferry.usage (read_uncommitted: ")
                        .append(v.usageUncommittedBilledMs()).append(" ms).");
            }
            out.append("\n");
        }
        return out.toString();
    }

    private static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}

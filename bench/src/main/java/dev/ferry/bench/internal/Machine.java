package dev.ferry.bench.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What the numbers were measured on; ratios only compare within one machine and one run. */
public record Machine(int cpus, long memoryMb, String java, String cpuModel) {

    public static Machine current() {
        return new Machine(Runtime.getRuntime().availableProcessors(), totalMemoryMb(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), readCpuModel());
    }

    /** The 1-minute load average now: other work on the machine makes the numbers noisy. */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    public String describe() {
        return String.format(Locale.ROOT, "%d CPUs (%s), %d MiB, %s", cpus, cpuModel, memoryMb, java);
    }

    private static String readCpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String line : lines) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: say so rather than fail the run
        }
        return "unknown CPU";
    }

    private static long totalMemoryMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the JVM's view
        }
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
    }
}

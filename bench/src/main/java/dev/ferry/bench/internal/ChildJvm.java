package dev.ferry.bench.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Java program run in a JVM of its own on this process's classpath, for measuring what the whole process costs
 * (CPU time, resident memory, threads) apart from the benchmark's own JVM. Closing it asks it to stop (SIGTERM, so
 * its shutdown hooks run) and kills it when it has not stopped within 30 s; a shutdown hook of this JVM kills it
 * too, so an interrupted run leaves no child behind.
 */
final class ChildJvm implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Thread killer;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Deque<String> lastLines = new ArrayDeque<>();

    private ChildJvm(String name, Process process, String readyMarker) {
        this.name = name;
        this.process = process;
        this.killer = new Thread(process::destroyForcibly, "bench-kill-" + name);
        Runtime.getRuntime().addShutdownHook(killer);
        Thread reader = new Thread(() -> readOutput(readyMarker), "bench-child-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * The JVM options the {@code ferry} script gives every process it starts: {@code FERRY_JAVA_OPTS}, split on
     * whitespace as the script's unquoted expansion splits it; none when unset. Children that stand for a process a
     * user starts with {@code ferry} take them, so a run measures what that user runs.
     */
    static List<String> ferryJavaOptions() {
        String options = System.getenv().getOrDefault("FERRY_JAVA_OPTS", "").trim();
        return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
    }

    /** Starts {@code mainClass} with {@code args}; its output (stdout and stderr) is read until it ends. */
    static ChildJvm start(String name, List<String> jvmOptions, String mainClass, List<String> args,
            String readyMarker) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new ChildJvm(name, process, readyMarker);
    }

    private void readOutput(String readyMarker) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lastLines) {
                    lastLines.addLast(line);
                    if (lastLines.size() > 40) {
                        lastLines.removeFirst();
                    }
                }
                if (line.contains(readyMarker)) {
                    ready.countDown();
                }
            }
        } catch (IOException e) {
            // the child ended
        }
    }

    /** Waits until the child printed its ready line; fails with its last output when it ends or takes too long. */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.await(200, TimeUnit.MILLISECONDS)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not become ready ("
                        + (process.isAlive() ? "timed out" : "exited " + process.exitValue()) + "); last output:\n"
                        + lastOutput());
            }
        }
    }

    String lastOutput() {
        synchronized (lastLines) {
            return String.join("\n", lastLines);
        }
    }

    long pid() {
        return process.pid();
    }

    /** The CPU time (user + system, every thread) the child used so far, in seconds. */
    double cpuSeconds() {
        return process.info().totalCpuDuration()
                .orElseThrow(() -> new IllegalStateException("this platform does not report a child's CPU time"))
                .toNanos() / 1e9;
    }

    /** Resident memory in MiB from {@code /proc/<pid>/status} ({@code VmRSS}); NaN where there is no /proc. */
    double rssMib() {
        return statusField("VmRSS:") / 1024.0;
    }

    /** Live threads from {@code /proc/<pid>/status}; NaN where there is no /proc. */
    double threads() {
        return statusField("Threads:");
    }

    private double statusField(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the child is gone
        }
        return Double.NaN;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException e) {
                // this JVM is already shutting down: the hook kills the child
            }
        }
    }
}

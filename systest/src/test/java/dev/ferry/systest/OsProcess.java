package dev.ferry.systest;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OS process of the system under test (a Kafka node or a Ferry service), started from a fixed command line that
 * can be run again after a kill. Its stdout and stderr are appended to one log file per process name, so a
 * restarted process continues the same file (each start is marked). {@link #kill()} is SIGKILL (a crash: no hook
 * runs), {@link #stop(Duration)} is SIGTERM (the process's own clean stop).
 */
final class OsProcess {

    private static final Logger log = LoggerFactory.getLogger(OsProcess.class);

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path logFile;
    private Process process;
    private int starts;

    OsProcess(String name, List<String> command, Map<String, String> environment, Path logDir) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.logFile = logDir.resolve(name + ".log");
    }

    String name() {
        return name;
    }

    Path logFile() {
        return logFile;
    }

    synchronized OsProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        try {
            starts++;
            Files.writeString(logFile, "=== start " + starts + " of " + name + ": " + String.join(" ", command)
                    + System.lineSeparator(), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(logFile.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
            log.info("started {} (pid {})", name, process.pid());
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + name, e);
        }
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, then waits for the process to be gone. */
    void kill() {
        Process p = current();
        p.destroyForcibly();
        waitGone(p, Duration.ofSeconds(30));
        log.info("killed {} (pid {}) with SIGKILL", name, p.pid());
    }

    /**
     * SIGTERM and waits up to {@code timeout} for a clean exit; past it the process is killed (and that is logged,
     * since a clean stop that needs SIGKILL is a finding). Returns the exit status (137 after SIGKILL).
     */
    int stop(Duration timeout) {
        Process p = current();
        p.destroy();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{} (pid {}) did not stop within {} of SIGTERM; killing it", name, p.pid(), timeout);
                p.destroyForcibly();
                waitGone(p, Duration.ofSeconds(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        log.info("stopped {} (pid {}) with SIGTERM: exit {}", name, p.pid(), p.isAlive() ? "?" : p.exitValue());
        return p.isAlive() ? -1 : p.exitValue();
    }

    /** Kills the process if it still runs; for the harness's cleanup. */
    void destroy() {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            waitGone(p, Duration.ofSeconds(30));
        }
    }

    /** Whether the current run's output (since its last start) contains {@code text}. */
    boolean printed(String text) {
        try {
            String all = Files.readString(logFile);
            int lastStart = all.lastIndexOf("=== start ");
            return all.indexOf(text, Math.max(lastStart, 0)) >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until the current run printed {@code text}; fails early, with the log's tail, if the process died. */
    void awaitPrinted(String text, Duration timeout) {
        await(name + " prints '" + text + "'").atMost(timeout).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!isAlive()) {
                        throw new IllegalStateException(name + " exited with " + current().exitValue()
                                + "; its log ends with:\n" + tail(40));
                    }
                    return printed(text);
                });
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private synchronized Process current() {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return process;
    }

    private static void waitGone(Process p, Duration timeout) {
        try {
            p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}

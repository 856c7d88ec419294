package dev.ferry.bench.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU clock ticks (user + system) of each thread of another process, from {@code /proc/<pid>/task/<tid>/stat}, and
 * the part of them spent by the JIT's compiler threads ({@code C1 CompilerThre}, {@code C2 CompilerThre}: thread names
 * as Linux keeps them, cut to 15 characters). Used to say how much of an idle window was compilation, which decides
 * {@code idle-cpu}'s window after a burst of deploys (issue 16) and not the steady state. Ticks count the same on both
 * sides of a ratio, so no clock rate is needed. A thread that ended between two snapshots is not counted (HotSpot
 * retires compiler threads that go idle), so the JIT's share is a lower bound. Empty where there is no {@code /proc}.
 */
final class ChildThreadTicks {

    /** Ticks of one thread: whether it is a JIT compiler thread, and its user + system ticks. */
    record Thread(boolean compiler, long ticks) {
    }

    private final Map<Long, Thread> threads;

    private ChildThreadTicks(Map<Long, Thread> threads) {
        this.threads = threads;
    }

    /** The ticks of every thread of process {@code pid} now; empty when they cannot be read. */
    static ChildThreadTicks of(long pid) {
        Map<Long, Thread> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    threads.put(Long.parseLong(task.getFileName().toString()),
                            parse(Files.readString(task.resolve("stat"))));
                } catch (IOException | RuntimeException e) {
                    // the thread ended while being read
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return new ChildThreadTicks(threads);
    }

    /**
     * One {@code stat} line: {@code tid (name) state ...}, user and system ticks the 14th and 15th fields. The name may
     * hold spaces and parentheses, so the fields are counted from the last {@code ')'}.
     *
     * @throws IllegalArgumentException when the line has not that shape
     */
    static Thread parse(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new IllegalArgumentException("not a /proc stat line: " + stat);
        }
        String name = stat.substring(open + 1, close);
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        if (fields.length < 13) {
            throw new IllegalArgumentException("not a /proc stat line: " + stat);
        }
        // fields[0] is the state (3rd field of the line): utime and stime are the 14th and 15th.
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return new Thread(name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre"), ticks);
    }

    /**
     * The JIT compiler threads' share of the ticks spent since {@code before} by the threads alive now, 0 to 1; NaN
     * when no tick was spent or none could be read.
     */
    double compilerShareSince(ChildThreadTicks before) {
        long all = 0;
        long compiler = 0;
        for (Map.Entry<Long, Thread> entry : threads.entrySet()) {
            Thread earlier = before.threads.get(entry.getKey());
            long spent = entry.getValue().ticks() - (earlier == null ? 0 : earlier.ticks());
            all += spent;
            if (entry.getValue().compiler()) {
                compiler += spent;
            }
        }
        return all == 0 ? Double.NaN : (double) compiler / all;
    }
}

package dev.ferry.bench.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of every live thread of this process, for a measure that a busy machine disturbs less than wall time
 * (issue 16, "Measuring on a shared machine"): CPU nanoseconds spent between two snapshots, summed over the threads
 * alive at the second one. The embedded broker runs in the bench's process, so its work for what was measured is
 * counted too. Threads that ended between the snapshots are not counted: take the second before the measured work's
 * threads stop.
 */
final class ThreadCpuTimes {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<Long, Long> cpuNanos;

    private ThreadCpuTimes(Map<Long, Long> cpuNanos) {
        this.cpuNanos = cpuNanos;
    }

    /** The CPU time of each live thread now; empty where the JVM does not measure thread CPU time. */
    static ThreadCpuTimes now() {
        Map<Long, Long> times = new HashMap<>();
        if (THREADS.isThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled()) {
            for (long id : THREADS.getAllThreadIds()) {
                long cpu = THREADS.getThreadCpuTime(id);
                if (cpu >= 0) {
                    times.put(id, cpu);
                }
            }
        }
        return new ThreadCpuTimes(times);
    }

    /** CPU nanoseconds the threads alive now spent since {@code before}; 0 where not measured. */
    long nanosSince(ThreadCpuTimes before) {
        long total = 0;
        for (Map.Entry<Long, Long> entry : now().cpuNanos.entrySet()) {
            total += entry.getValue() - before.cpuNanos.getOrDefault(entry.getKey(), 0L);
        }
        return total;
    }
}

package dev.ferry.core;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for executors whose threads must not hold the JVM open (timers, background checks, callback
 * pools): each thread is a daemon and gets the name it is given, exactly. Thread names are read by tests, thread
 * dumps and tooling, so a caller passes the whole name (or prefix) it had written out before.
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** Daemon threads all named {@code name} (a single-thread executor's, or a pool whose threads need no number). */
    public static ThreadFactory factory(String name) {
        return runnable -> daemon(runnable, name);
    }

    /**
     * Daemon threads named {@code prefix} followed by 1, 2, 3... in the order this factory makes them; the prefix
     * carries its own separator ({@code "ferry-worker-timer-"} names {@code ferry-worker-timer-1}).
     */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> daemon(runnable, prefix + count.incrementAndGet());
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}

package dev.ferry.core;

import java.util.List;
import java.util.Map;

/**
 * Stops several independent things at once and waits for all of them (issue 11: a quick stop). One platform
 * thread each, not a parallel stream: each stop mostly waits (a group leaving, a transaction ending), and a common
 * pool on a two-core machine would run them about one at a time.
 */
public final class Shutdown {

    private Shutdown() {
    }

    /**
     * Runs every stop on a thread named after its key and returns once all have ended. An interrupt while waiting
     * is kept (the flag is set again) and the remaining stops are still waited for, so none is left half done.
     */
    public static void inParallel(Map<String, Runnable> stops) {
        List<Thread> threads = stops.entrySet().stream().map(stop -> {
            Thread thread = new Thread(stop.getValue(), stop.getKey());
            thread.start();
            return thread;
        }).toList();
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

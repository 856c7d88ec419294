package dev.ferry.cli.service;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;

/**
 * How every long-running {@code ferry} command ({@code dev}, {@code gateway}, {@code dispatcher}, {@code worker},
 * {@code autoscaler}, {@code metering}) ends on Ctrl-C or SIGTERM, said on the console the same way: {@code Stopping
 * Ferry <name>...}, then {@code Ferry <name> stopped in <seconds> s} once everything is closed (README "Working with
 * it": the console shows the total; the steps are logged at INFO). One place, so no command can stop silently again
 * (tester 10, finding 7b: only {@code ferry dev} said it).
 */
final class ConsoleStop {

    private ConsoleStop() {
    }

    /**
     * The shutdown hook of a command.
     *
     * @param name what stops, as the start banner names it ({@code dev}, {@code gateway}, ...)
     * @param close closes everything the command runs; the stop line follows its return
     * @param stopped counted down once closed, so the command's main thread may return
     * @param exit called last ({@link ServiceCommand#exitCleanly()} in a real process)
     */
    static Thread hook(PrintWriter out, String name, Runnable close, CountDownLatch stopped, Runnable exit) {
        return new Thread(() -> {
            out.println();
            out.println("Stopping Ferry " + name + "...");
            out.flush();
            long began = System.nanoTime();
            close.run();
            out.printf("Ferry %s stopped in %.1f s%n", name, (System.nanoTime() - began) / 1e9);
            out.flush();
            ClassArchiveNotice.sayIfRecording(out);
            stopped.countDown();
            exit.run();
        }, "ferry-" + name + "-shutdown");
    }
}

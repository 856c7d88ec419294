package dev.ferry.cli.service;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every long-running {@code ferry} command ({@code dev}, {@code demo}, {@code gateway}, {@code dispatcher},
 * {@code worker}, {@code autoscaler}, {@code metering}) runs and ends on Ctrl-C or SIGTERM, said on the console the
 * same way: {@code Stopping Ferry <name>...}, then {@code Ferry <name> stopped in <seconds> s} once everything is
 * closed, and exit status 0 (README "Working with it": the console shows the total; the steps are logged at INFO).
 * One place, so no command can stop silently again (tester 10, finding 7b: only {@code ferry dev} said it).
 *
 * <p>A stop may come at any moment of a command, its start included (tester 18A, finding 5: a SIGTERM before
 * {@code Ferry dev is ready} exited 143, said nothing and left the embedded broker's data as after a crash, because
 * the hook was added only once the start had returned). So a command {@link #install}s its hook before it starts
 * anything, then {@link #run}s its start, its ready line and its work through this class:
 * <ul>
 *   <li>A stop during the start is seen by the start's next step ({@link StartCheck}), which then closes what it
 *       has started and ends; a start that returns as the stop comes is closed at once. Either way the ready line
 *       is not printed: it and {@code Stopping} are printed under one lock, so never in that order.</li>
 *   <li>A stop once the command is running interrupts its thread (the wait of {@code dev} and of the services, the
 *       load of {@code demo}).</li>
 *   <li>The command's own thread closes what it started, once, in every case; the hook only says the stop, waits
 *       for that close, and exits 0 ({@link ServiceCommand#exitCleanly()}).</li>
 * </ul>
 * The hook waits at most {@link #WAIT}: a shutdown hook that never returns keeps the JVM from exiting at all. Past
 * it, it says so and lets the JVM exit with the signal's status, as a stop that was not clean.
 */
final class ConsoleStop {

    private static final Logger log = LoggerFactory.getLogger(ConsoleStop.class);

    /**
     * How long the hook waits for the command to end its start and close what it started: beyond the longest step a
     * stop does not cut short (the embedded broker's start, which recovers its logs after a crash: 19 s with 1,000
     * functions, issue 16; the look for hanging transactions after a crash, up to 30 s) plus a close under load
     * (DevShutdownIT allows 90 s; 9 s is usual).
     */
    static final Duration WAIT = Duration.ofMinutes(2);

    /** What a command starts; it asks the check between its steps and closes what it started when it throws. */
    @FunctionalInterface
    interface Start<T extends AutoCloseable> {
        T start(StartCheck check);
    }

    /**
     * What a command does once started and said ready: returns at its end ({@code demo}), or runs until a stop
     * interrupts its thread ({@link #untilStopped()}).
     */
    @FunctionalInterface
    interface Work<T> {
        void run(T started) throws Exception;
    }

    /** Where the command is; changed under {@link #lock} only. */
    private enum Phase {
        /** Starting: a stop is seen by the start's next step. */
        STARTING,
        /** Started and said ready: a stop interrupts the command's thread. */
        RUNNING,
        /** Its work ended by itself (a demo at its end, or a failure): closing what it started. */
        CLOSING,
        /** A stop came: the hook has the console, the command's thread closes what it started. */
        STOPPING,
        /** Nothing is open: the command is exiting with its own status, and a signal now changes nothing. */
        ENDED
    }

    private final PrintWriter out;
    private final String name;
    private final Runnable exit;
    private final Duration wait;
    private final Thread hook;
    private final Object lock = new Object();
    /** Counted down once the command's thread has closed what it started (or never started anything). */
    private final CountDownLatch closed = new CountDownLatch(1);
    private final StartCheck check = new Check();
    private Phase phase = Phase.STARTING;
    /** Whether a stop came; read by the start's checks without the lock. */
    private volatile boolean stopping;
    /** The thread that runs the command, interrupted by a stop while {@link Phase#RUNNING}. */
    private Thread owner;
    /** The threads in an {@link StartCheck#interruptible} wait of the start. */
    private final Set<Thread> waiting = new HashSet<>();
    private boolean installed;

    /**
     * @param name what stops, as the start banner names it ({@code dev}, {@code gateway}, ...)
     * @param exit called last by the hook after a clean stop ({@link ServiceCommand#exitCleanly()} in a real process)
     */
    ConsoleStop(PrintWriter out, String name, Runnable exit) {
        this(out, name, exit, WAIT);
    }

    ConsoleStop(PrintWriter out, String name, Runnable exit, Duration wait) {
        this.out = out;
        this.name = name;
        this.exit = exit;
        this.wait = wait;
        this.hook = new Thread(this::stop, "ferry-" + name + "-shutdown");
    }

    /** Adds the hook to the JVM: the first thing a command does, before it starts anything. */
    ConsoleStop install() {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            synchronized (lock) {
                installed = true;
            }
        } catch (IllegalStateException e) {
            // The JVM is exiting already (a signal before the command began): start nothing.
            synchronized (lock) {
                phase = Phase.STOPPING;
                stopping = true;
            }
        }
        return this;
    }

    /** What a signal runs once {@link #install}ed; tests run it themselves. */
    Thread hook() {
        return hook;
    }

    /** The work of a command that runs until it is stopped: {@code dev} and the service commands. */
    static <T> Work<T> untilStopped() {
        return started -> new CountDownLatch(1).await();
    }

    /**
     * Runs a command on the calling thread: {@code start}, then {@code ready} (its banner), then {@code work}, then
     * closes what started. Returns normally after a stop (the hook says it and ends the JVM); otherwise returns when
     * the work has ended and everything is closed, or throws what the start or the work threw.
     */
    <T extends AutoCloseable> void run(Start<T> start, Consumer<? super T> ready, Work<? super T> work)
            throws Exception {
        synchronized (lock) {
            owner = Thread.currentThread();
        }
        try {
            T started;
            try {
                check.check();
                started = start.start(check);
            } catch (RuntimeException e) {
                // The start has closed what it started, as it does for any failure.
                if (end()) {
                    throw e;
                }
                ended(e);
                return;
            }
            runStarted(started, ready, work);
        } finally {
            closed.countDown();
        }
    }

    private <T extends AutoCloseable> void runStarted(T started, Consumer<? super T> ready, Work<? super T> work)
            throws Exception {
        Exception failure = null;
        try {
            if (running(started, ready)) {
                work.run(started);
            }
        } catch (Exception e) {
            failure = e;
        }
        closing();
        try {
            started.close();
        } catch (Exception e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (end()) {
            if (failure != null) {
                throw failure;
            }
        } else if (failure != null) {
            ended(failure);
        }
    }

    /** Says the command ready, under the lock the hook says {@code Stopping} under; false when a stop came first. */
    private <T> boolean running(T started, Consumer<? super T> ready) {
        synchronized (lock) {
            if (phase == Phase.STOPPING) {
                return false;
            }
            phase = Phase.RUNNING;
            ready.accept(started);
            return true;
        }
    }

    /**
     * The work ended, by itself or for a stop: no more interrupts, and the one a stop sent is cleared, since what is
     * closed next writes files (the broker's) and an interrupted thread's file channel closes itself.
     */
    private void closing() {
        synchronized (lock) {
            Thread.interrupted();
            if (phase != Phase.STOPPING) {
                phase = Phase.CLOSING;
            }
        }
    }

    /** Nothing is open any more: true, and the hook removed, unless a stop came, which the hook then finishes. */
    private boolean end() {
        synchronized (lock) {
            if (phase == Phase.STOPPING) {
                return false;
            }
            phase = Phase.ENDED;
            if (!installed) {
                return true;
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is exiting already; the hook sees ENDED and does nothing
        }
        return true;
    }

    /** After a stop the command's thread says nothing more: the hook has the console. */
    private void ended(Exception e) {
        if (e instanceof StartCheck.Abandoned || e instanceof InterruptedException) {
            log.debug("Ferry {} ended for the stop: {}", name, e.toString());
        } else {
            log.info("Ferry {} ended for the stop with: {}", name, e.toString());
        }
    }

    private void stop() {
        long began = System.nanoTime();
        synchronized (lock) {
            if (phase == Phase.ENDED || phase == Phase.STOPPING) {
                return;
            }
            Phase was = phase;
            phase = Phase.STOPPING;
            stopping = true;
            out.println();
            out.println("Stopping Ferry " + name + "...");
            out.flush();
            if (was == Phase.RUNNING) {
                owner.interrupt();
            }
            waiting.forEach(Thread::interrupt);
            log.info("Stopping Ferry {} while {}", name, was.name().toLowerCase());
        }
        boolean done;
        try {
            done = closed.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = false;
        }
        if (!done) {
            log.warn("Ferry {} did not stop within {} s; the JVM exits without waiting longer", name,
                    wait.toSeconds());
            out.printf("Ferry %s did not stop within %d s; exiting without waiting longer%n", name,
                    wait.toSeconds());
            out.flush();
            return;
        }
        out.printf("Ferry %s stopped in %.1f s%n", name, (System.nanoTime() - began) / 1e9);
        out.flush();
        ClassArchiveNotice.sayIfRecording(out);
        exit.run();
    }

    /** The start's side of a stop. */
    private final class Check implements StartCheck {
        @Override
        public void check() {
            if (stopping) {
                throw new Abandoned(name);
            }
        }

        @Override
        public void interruptible(Runnable wait) {
            Thread self = Thread.currentThread();
            synchronized (lock) {
                check();
                waiting.add(self);
            }
            try {
                wait.run();
            } catch (RuntimeException e) {
                check();
                throw e;
            } finally {
                synchronized (lock) {
                    waiting.remove(self);
                    Thread.interrupted();
                }
            }
            check();
        }
    }
}

package dev.ferry.cli.service;

/**
 * What a start ({@link DevEnvironment}, {@link Platform}) asks between its steps whether the command is stopping
 * (tester 18A, finding 5: a SIGTERM during a start exited 143 and left what had started unclosed). A start that is
 * told so throws {@link Abandoned}, closes what it has started, as for any failure to start, and ends; the command
 * then says its stop ({@link ConsoleStop}).
 *
 * <p>A step itself runs to its end: the embedded broker's start, for one, cannot be cut short safely (an interrupted
 * thread closes the file channel it writes, and Kafka's log files are file channels). Only a wait declared with
 * {@link #interruptible} is interrupted: the schema registry's, which may last {@code schema.registry.wait.ms}.
 */
interface StartCheck {

    /** For a start no one stops: outside a command, as in tests. */
    StartCheck NONE = new StartCheck() {
        @Override
        public void check() {
        }

        @Override
        public void interruptible(Runnable wait) {
            wait.run();
        }
    };

    /**
     * Asked before each step.
     *
     * @throws Abandoned when the command is stopping: the next step must not begin
     */
    void check();

    /**
     * Runs {@code wait} (a loop that ends when its thread is interrupted, as {@code RegistryCheck.await}), which a
     * stop interrupts; the thread's interrupt is cleared before this returns or throws, so what the start closes
     * next is not closed by an interrupted thread.
     *
     * @throws Abandoned when the command is stopping, before or after the wait
     */
    void interruptible(Runnable wait);

    /** The start ended for a stop, having closed what it had started. */
    final class Abandoned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abandoned(String what) {
            super("the start of Ferry " + what + " was abandoned for a stop");
        }
    }
}

package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * How a long-running command stops: said on the console by every one of them (tester 10, finding 7b), and at any
 * moment, its start included (tester 18A, finding 5: a stop during the start exited 143 and closed nothing). The
 * hook runs here on a thread of the test's, as the JVM runs it on a signal; the command on another.
 */
class ConsoleStopTest {

    private static final Duration LONG = Duration.ofSeconds(10);

    private final StringWriter console = new StringWriter();
    private final PrintWriter out = new PrintWriter(console, true);
    private final AtomicInteger exits = new AtomicInteger();

    /** Something a start opens; counts its closes and says which thread closed it. */
    private static final class Part implements AutoCloseable {
        final AtomicInteger closes = new AtomicInteger();
        final AtomicReference<String> closedBy = new AtomicReference<>();

        @Override
        public void close() {
            closes.incrementAndGet();
            closedBy.set(Thread.currentThread().getName());
        }
    }

    private ConsoleStop consoleStop(String name) {
        return new ConsoleStop(out, name, exits::incrementAndGet);
    }

    /** Runs the command on a thread named "command"; completes with its failure, if any, once it returns. */
    private static <T extends AutoCloseable> CompletableFuture<Void> command(ConsoleStop stop,
            ConsoleStop.Start<T> start, java.util.function.Consumer<T> ready, ConsoleStop.Work<T> work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        new Thread(() -> {
            try {
                stop.run(start, ready, work);
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "command").start();
        return done;
    }

    private static void awaitEnd(Thread hook) {
        await().atMost(LONG).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> hook.getState() == Thread.State.TERMINATED);
    }

    private String said() {
        return console.toString();
    }

    @Test
    void shouldAbandonTheStartAtItsNextStepCloseWhatItStartedAndExit0WhenStoppedDuringTheStart() throws Exception {
        ConsoleStop stop = consoleStop("dev");
        Part broker = new Part();
        AtomicBoolean nextStepBegan = new AtomicBoolean();
        AtomicBoolean readySaid = new AtomicBoolean();
        CountDownLatch inStep = new CountDownLatch(1);
        CountDownLatch stepMayEnd = new CountDownLatch(1);
        CompletableFuture<Void> command = command(stop, check -> {
            // As DevEnvironment.start: a step, the check, the next step; on any failure, close what started.
            try {
                inStep.countDown();
                stepMayEnd.await();
                check.check();
                nextStepBegan.set(true);
                return broker;
            } catch (RuntimeException | InterruptedException e) {
                broker.close();
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        }, started -> readySaid.set(true), ConsoleStop.untilStopped());
        inStep.await();

        stop.hook().start();
        await().atMost(LONG).until(() -> said().contains("Stopping Ferry dev..."));
        assertThat(exits).as("no exit before what started is closed").hasValue(0);
        stepMayEnd.countDown();
        awaitEnd(stop.hook());

        command.get(10, TimeUnit.SECONDS);
        assertThat(nextStepBegan).as("the next step did not begin").isFalse();
        assertThat(broker.closes).hasValue(1);
        assertThat(readySaid).isFalse();
        assertThat(said()).containsPattern("Stopping Ferry dev\\.\\.\\.\\RFerry dev stopped in \\d+[.,]\\d s");
        assertThat(exits).hasValue(1);
    }

    @Test
    void shouldCloseOnceOnTheCommandsThreadAndExit0WhenStoppedOnceRunning() throws Exception {
        ConsoleStop stop = consoleStop("dev");
        Part env = new Part();
        CompletableFuture<Void> command = command(stop, check -> env, started -> out.println("Ferry dev is ready"),
                ConsoleStop.untilStopped());
        await().atMost(LONG).until(() -> said().contains("is ready"));

        stop.hook().start();
        awaitEnd(stop.hook());

        command.get(10, TimeUnit.SECONDS);
        assertThat(env.closes).hasValue(1);
        assertThat(env.closedBy).as("one owner closes, so nothing is closed twice").hasValue("command");
        assertThat(said()).containsPattern(
                "(?s)Ferry dev is ready.*Stopping Ferry dev\\.\\.\\.\\RFerry dev stopped in \\d+[.,]\\d s");
        assertThat(exits).hasValue(1);
    }

    @Test
    void shouldCloseWithoutSayingReadyWhenTheStartReturnsAsTheStopComes() throws Exception {
        ConsoleStop stop = consoleStop("dev");
        Part env = new Part();
        AtomicBoolean readySaid = new AtomicBoolean();
        CountDownLatch lastStep = new CountDownLatch(1);
        CompletableFuture<Void> command = command(stop, check -> {
            // The last step ends after the stop came, and the start returns without another check.
            lastStep.countDown();
            await().atMost(LONG).until(() -> said().contains("Stopping"));
            return env;
        }, started -> readySaid.set(true), ConsoleStop.untilStopped());
        lastStep.await();

        stop.hook().start();
        awaitEnd(stop.hook());

        command.get(10, TimeUnit.SECONDS);
        assertThat(readySaid).as("no ready banner after Stopping").isFalse();
        assertThat(env.closes).hasValue(1);
        assertThat(said()).containsPattern("Stopping Ferry dev\\.\\.\\.\\RFerry dev stopped in \\d+[.,]\\d s");
        assertThat(exits).hasValue(1);
    }

    /** The stop and the start's end at the same moment, many times: whoever comes first, the same promises hold. */
    @Test
    void shouldCloseOnceAndNeverSayReadyAfterStoppingWhenTheStartEndsAsTheStopComes() throws Exception {
        for (int i = 0; i < 200; i++) {
            StringWriter console = new StringWriter();
            PrintWriter out = new PrintWriter(console, true);
            AtomicInteger exits = new AtomicInteger();
            ConsoleStop stop = new ConsoleStop(out, "dev", exits::incrementAndGet);
            Part env = new Part();
            AtomicInteger opened = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Void> command = command(stop, check -> {
                opened.incrementAndGet(); // unless the stop came before the start began
                try {
                    go.await();
                    check.check(); // the last step's check, as the stop comes
                    return env;
                } catch (RuntimeException | InterruptedException e) {
                    env.close();
                    throw new IllegalStateException(e);
                }
            }, started -> out.println("Ferry dev is ready"), ConsoleStop.untilStopped());
            Thread hook = stop.hook();
            new Thread(() -> {
                try {
                    go.await();
                    hook.start();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).start();

            go.countDown();
            awaitEnd(hook);

            command.get(10, TimeUnit.SECONDS);
            String said = console.toString();
            assertThat(env.closes).as("closed once if opened (run %d)", i).hasValue(opened.get());
            assertThat(said).as("run %d", i).containsPattern("Stopping Ferry dev\\.\\.\\.\\RFerry dev stopped in");
            if (said.contains("is ready")) {
                assertThat(said.indexOf("is ready")).as("run %d", i).isLessThan(said.indexOf("Stopping"));
            }
            assertThat(exits).as("run %d", i).hasValue(1);
        }
    }

    @Test
    void shouldSayTheStopWhenItComesAsTheStartBegins() throws Exception {
        for (int i = 0; i < 200; i++) {
            StringWriter console = new StringWriter();
            AtomicInteger exits = new AtomicInteger();
            ConsoleStop stop = new ConsoleStop(new PrintWriter(console, true), "dev", exits::incrementAndGet);
            Part env = new Part();
            AtomicInteger opened = new AtomicInteger();
            stop.hook().start();
            CompletableFuture<Void> command = command(stop, check -> {
                check.check();
                opened.incrementAndGet();
                return env;
            }, started -> { }, ConsoleStop.untilStopped());
            awaitEnd(stop.hook());

            command.get(10, TimeUnit.SECONDS);
            assertThat(env.closes).as("what opened is closed (run %d)", i).hasValue(opened.get());
            assertThat(console.toString()).as("run %d", i).contains("Ferry dev stopped in");
            assertThat(exits).as("run %d", i).hasValue(1);
        }
    }

    @Test
    void shouldInterruptAWaitOfTheStartAndClearTheInterruptBeforeTheStartCloses() throws Exception {
        ConsoleStop stop = consoleStop("worker");
        Part runtime = new Part();
        AtomicBoolean interruptedWhileClosing = new AtomicBoolean(true);
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Void> command = command(stop, check -> {
            try {
                // As RegistryCheck.await: a wait that ends, with a failure, only when its thread is interrupted.
                check.interruptible(() -> {
                    waiting.countDown();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("Interrupted while waiting for the schema registry", e);
                    }
                });
                return runtime;
            } catch (RuntimeException e) {
                interruptedWhileClosing.set(Thread.currentThread().isInterrupted());
                runtime.close();
                throw e;
            }
        }, started -> out.println("running"), ConsoleStop.untilStopped());
        waiting.await();

        stop.hook().start();
        awaitEnd(stop.hook());

        command.get(10, TimeUnit.SECONDS);
        assertThat(interruptedWhileClosing).as("closing on an interrupted thread breaks file channels").isFalse();
        assertThat(runtime.closes).hasValue(1);
        assertThat(said()).doesNotContain("running").contains("Ferry worker stopped in");
        assertThat(exits).hasValue(1);
    }

    @Test
    void shouldSayItAndNotExit0WhenTheCommandDoesNotEndWithinTheWait() throws Exception {
        ConsoleStop stop = new ConsoleStop(out, "dev", exits::incrementAndGet, Duration.ofSeconds(1));
        CountDownLatch inStep = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        CompletableFuture<Void> command = command(stop, check -> {
            try {
                inStep.countDown();
                stuck.await(); // a step that neither checks nor ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Part();
        }, started -> { }, ConsoleStop.untilStopped());
        inStep.await();

        stop.hook().start();
        awaitEnd(stop.hook());

        assertThat(said()).contains("Stopping Ferry dev...")
                .contains("Ferry dev did not stop within 1 s; exiting without waiting longer")
                .doesNotContain("stopped in");
        assertThat(exits).as("the JVM exits with the signal's status: not a clean stop").hasValue(0);
        stuck.countDown();
        command.get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldLeaveTheConsoleAndStatusAloneOnceTheCommandHasEndedByItself() throws Exception {
        ConsoleStop finished = consoleStop("demo");
        Part env = new Part();
        command(finished, check -> env, started -> { }, started -> { }).get(10, TimeUnit.SECONDS);
        ConsoleStop failed = consoleStop("dev");
        CompletableFuture<Void> failure = command(failed, check -> {
            throw new IllegalStateException("the port is taken");
        }, started -> { }, ConsoleStop.<Part>untilStopped());
        assertThatThrownBy(() -> failure.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("the port is taken");

        // The JVM runs the hooks as the command exits with its own status.
        finished.hook().run();
        failed.hook().run();

        assertThat(env.closes).hasValue(1);
        assertThat(said()).isEmpty();
        assertThat(exits).hasValue(0);
    }

    @Test
    void shouldSayTheStopAndItsTotalForEveryServiceCommand() throws Exception {
        List<ServiceCommand> services = List.of(new ServiceCommand.Gateway(), new ServiceCommand.Dispatcher(),
                new ServiceCommand.Worker(), new ServiceCommand.Autoscaler(), new ServiceCommand.Metering());
        for (ServiceCommand service : services) {
            CommandLine cli = new CommandLine(service);
            cli.parseArgs();
            StringWriter console = new StringWriter();
            AtomicInteger exited = new AtomicInteger();
            Part platform = new Part();
            ConsoleStop stop = service.consoleStop(new PrintWriter(console, true), exited::incrementAndGet);
            CompletableFuture<Void> command = command(stop, check -> platform, started -> { },
                    ConsoleStop.untilStopped());

            stop.hook().start();
            awaitEnd(stop.hook());

            command.get(10, TimeUnit.SECONDS);
            String name = cli.getCommandName();
            assertThat(console.toString()).contains("Stopping Ferry " + name + "...")
                    .containsPattern("Ferry " + name + " stopped in \\d+[.,]\\d s");
            assertThat(platform.closes.get()).isLessThanOrEqualTo(1);
            assertThat(exited).hasValue(1);
        }
    }
}

package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every service command says on the console that it stops and when it has, as ferry dev does (tester 10, 7b). */
class ConsoleStopTest {

    @Test
    void shouldSayTheStopAndItsTotalForEveryServiceCommand() throws Exception {
        List<ServiceCommand> services = List.of(new ServiceCommand.Gateway(), new ServiceCommand.Dispatcher(),
                new ServiceCommand.Worker(), new ServiceCommand.Autoscaler(), new ServiceCommand.Metering());
        for (ServiceCommand service : services) {
            CommandLine cli = new CommandLine(service);
            cli.parseArgs();
            StringWriter console = new StringWriter();
            AtomicBoolean closed = new AtomicBoolean();
            AtomicBoolean exited = new AtomicBoolean();
            CountDownLatch stopped = new CountDownLatch(1);

            service.stopHook(new PrintWriter(console), () -> closed.set(true), stopped, () -> exited.set(true)).run();

            String name = cli.getCommandName();
            assertThat(console.toString()).contains("Stopping Ferry " + name + "...")
                    .containsPattern("Ferry " + name + " stopped in \\d+[.,]\\d s");
            assertThat(closed).isTrue();
            assertThat(exited).isTrue();
            assertThat(stopped.getCount()).isZero();
        }
    }
}

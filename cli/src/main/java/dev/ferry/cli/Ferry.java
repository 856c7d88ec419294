package dev.ferry.cli;

import dev.ferry.cli.client.DeployCommand;
import dev.ferry.cli.client.FunctionsCommand;
import dev.ferry.cli.client.InvokeCommand;
import dev.ferry.cli.client.TopCommand;
import dev.ferry.cli.client.TriggerCommand;
import dev.ferry.cli.client.UsageCommand;
import dev.ferry.cli.service.ConnectionOptions;
import dev.ferry.cli.service.DemoCommand;
import dev.ferry.cli.service.DevCommand;
import dev.ferry.cli.service.ServiceCommand;
import dev.ferry.cli.service.TenantsCommand;
import dev.ferry.cli.service.TopicCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code ferry} command line. */
@Command(name = "ferry", mixinStandardHelpOptions = true, versionProvider = Ferry.Version.class,
        description = "Serverless functions on the Kafka you already run.",
        subcommands = {
            DevCommand.class,
            DemoCommand.class,
            ServiceCommand.Gateway.class,
            ServiceCommand.Dispatcher.class,
            ServiceCommand.Worker.class,
            ServiceCommand.Autoscaler.class,
            ServiceCommand.Metering.class,
            DeployCommand.class,
            InvokeCommand.class,
            FunctionsCommand.class,
            TriggerCommand.class,
            UsageCommand.class,
            TopCommand.class,
            TenantsCommand.class,
            TopicCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Ferry implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        // The embedded broker brings log4j-core, which complains on stderr about a log4j2.yaml it cannot read;
        // Ferry logs through SLF4J and Logback, so log4j's own status chatter is noise for a user.
        if (System.getProperty("log4j2.statusLoggerLevel") == null) {
            System.setProperty("log4j2.statusLoggerLevel", "OFF");
        }
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** The command line model, for tools and tests that parse without running. */
    public static CommandLine commandLine() {
        return new CommandLine(new Ferry());
    }

    /** Runs one command line with the given streams; returns the exit code. Tests call this directly. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliException failure) {
                commandLine.getErr().println("ferry: " + failure.getMessage());
                return failure.exitCode();
            }
            commandLine.getErr().println("ferry: " + explain(e, commandLine));
            if (System.getenv("FERRY_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    /**
     * The line printed for a failure that is not a {@link CliException}: its causes in words, secrets masked
     * ({@link FailureText}), and, when Kafka did not answer in time, where the command looked for it: a timeout
     * alone does not say that nothing listens at the address, nor which address that was.
     */
    static String explain(Exception failure, CommandLine command) {
        String text = FailureText.describe(failure);
        boolean timedOut = FailureText.causedBy(failure, java.util.concurrent.TimeoutException.class)
                || FailureText.causedBy(failure, org.apache.kafka.common.errors.TimeoutException.class);
        String kafka = timedOut ? ConnectionOptions.bootstrapServersOf(command.getCommandSpec()) : null;
        return kafka == null ? text
                : text + " (is Kafka running and reachable at " + FailureText.mask(kafka) + "?)";
    }

    /** The version from the jar manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Ferry.class.getPackage().getImplementationVersion();
            return new String[] {"ferry " + (version != null ? version : "development")};
        }
    }
}

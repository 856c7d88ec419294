package dev.ferry.cli.service;

import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.ManagementConfig;
import dev.ferry.core.net.Urls;
import dev.ferry.core.runtime.FerryRuntime;
import java.io.PrintWriter;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * One Ferry service alone, for deployments across machines: {@code ferry gateway|dispatcher|worker|autoscaler|
 * metering}. Runs until interrupted (Ctrl-C or SIGTERM), then stops cleanly.
 */
public abstract class ServiceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = {"--management-port", "--metrics-port"}, description = "Port of this process's management "
            + "listener: Prometheus /metrics, /healthz and /readyz, on management.host (127.0.0.1 unless set; another "
            + "address needs management.token). Default: management.port (9400); -1 turns it off.")
    Integer managementPort;

    private final Platform.Role role;

    ServiceCommand(Platform.Role role) {
        this.role = role;
    }

    /** What this command runs. */
    Set<Platform.Role> roles() {
        return EnumSet.of(role);
    }

    /** The metering instance the gateway asks for usage; only the gateway has the option. */
    URI meteringUrl() {
        return null;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        consoleStop(out, ServiceCommand::exitCleanly).install()
                .run(check -> start(out, check), platform -> ready(out, platform), ConsoleStop.untilStopped());
        return 0;
    }

    /** How this command stops on Ctrl-C or SIGTERM, said on the console as {@code ferry dev} says it. */
    ConsoleStop consoleStop(PrintWriter out, Runnable exit) {
        return new ConsoleStop(out, spec.name(), exit);
    }

    /**
     * Starts the service, saying where it connects (credentials masked). Never a setting's value beyond that: the
     * configuration may hold secrets (management.token and others).
     */
    Platform start(PrintWriter out, StartCheck check) {
        FerryConfig config = connection.toConfig(Map.of());
        if (managementPort != null) {
            config = config.with(ManagementConfig.PORT, managementPort);
        }
        out.printf("Starting the Ferry %s against %s%n", spec.name(), Urls.redact(config.bootstrapServers()));
        out.flush();
        return Platform.start(FerryRuntime.create(config), roles(), meteringUrl(), out, Set.of(), check);
    }

    /** The banner once started: the metrics address, and that it runs. */
    void ready(PrintWriter out, Platform platform) {
        if (platform.managementPort() >= 0) {
            out.printf("  metrics     http://%s:%d/metrics%n", platform.config().management().host(),
                    platform.managementPort());
        }
        out.printf("Ferry %s is running; Ctrl-C stops it.%n", spec.name());
        out.flush();
    }

    /**
     * Ends the JVM with status 0 once a stop asked for by a signal (Ctrl-C, SIGTERM) has finished cleanly. Without
     * it the JVM reports 130 or 143 for the signal, and an orchestrator would take a clean stop for a failure.
     * Called last in a shutdown hook, when everything is closed; other hooks are not waited for.
     */
    static void exitCleanly() {
        Runtime.getRuntime().halt(0);
    }

    @Command(name = "gateway", mixinStandardHelpOptions = true,
            description = "Run the HTTP gateway and dashboard (port: --set gateway.port=8080).")
    public static final class Gateway extends ServiceCommand {
        @Option(names = "--metering-url", description = "Base URL of a metering instance, for /v1/usage (calls carry "
                + "metering.http.token).")
        URI metering;

        public Gateway() {
            super(Platform.Role.GATEWAY);
        }

        @Override
        URI meteringUrl() {
            return metering;
        }
    }

    @Command(name = "dispatcher", mixinStandardHelpOptions = true,
            description = "Run the dispatcher: ferry.invocations to the per-function work topics.")
    public static final class Dispatcher extends ServiceCommand {
        public Dispatcher() {
            super(Platform.Role.DISPATCHER);
        }
    }

    @Command(name = "worker", mixinStandardHelpOptions = true,
            description = "Run worker pools for every deployed function: one replica each, or, with --autoscale, "
                    + "sized from lag by an autoscaler in this process.")
    public static final class Worker extends ServiceCommand {
        @Option(names = "--autoscale",
                description = "Run the autoscaler here too, resizing these pools directly (the in-process actuator).")
        boolean autoscale;

        public Worker() {
            super(Platform.Role.WORKER);
        }

        @Override
        Set<Platform.Role> roles() {
            return autoscale ? EnumSet.of(Platform.Role.WORKER, Platform.Role.AUTOSCALER) : super.roles();
        }
    }

    @Command(name = "autoscaler", mixinStandardHelpOptions = true,
            description = "Run the autoscaler alone: lag collection, policy and decisions on ferry.scaling, applied by "
                    + "the actuator autoscaler.actuator names (kubernetes, or none to only publish).")
    public static final class Autoscaler extends ServiceCommand {
        public Autoscaler() {
            super(Platform.Role.AUTOSCALER);
        }
    }

    @Command(name = "metering", mixinStandardHelpOptions = true,
            description = "Run the metering application (Kafka Streams, exactly-once) and its usage API.")
    public static final class Metering extends ServiceCommand {
        public Metering() {
            super(Platform.Role.METERING);
        }
    }
}

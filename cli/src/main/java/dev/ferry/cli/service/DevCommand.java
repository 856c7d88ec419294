package dev.ferry.cli.service;

import dev.ferry.cli.client.GatewayOptions;
import dev.ferry.core.net.Urls;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ferry dev}: everything in one process, on the embedded default or an existing cluster. */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Run all of Ferry in one process: embedded Kafka and schema registry (unless "
                + "--bootstrap-servers is given), every service, and the built-in functions for tenant 'default'.")
public final class DevCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DevOptions options;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ConsoleStop stop = new ConsoleStop(out, "dev", ServiceCommand::exitCleanly).install();
        out.println("Starting Ferry dev...");
        out.flush();
        long began = System.nanoTime();
        stop.run(check -> DevEnvironment.start(options.settings(), out, check),
                env -> banner(out, env, (System.nanoTime() - began) / 1_000_000), ConsoleStop.untilStopped());
        return 0;
    }

    static void banner(PrintWriter out, DevEnvironment env, long startMillis) {
        int port = env.platform().gatewayPort();
        out.println();
        out.printf("Ferry dev is ready in %.1f s%n", startMillis / 1000.0);
        out.printf("  %-16s %s%n", "Kafka", env.kafkaDescription());
        out.printf("  %-16s %s%n", "Schema Registry", Urls.redact(env.registryUrl()));
        out.printf("  %-16s http://localhost:%d%n", "Gateway", port);
        // The API key itself is never printed (banners end up in logs): the dashboard asks for it.
        out.printf("  %-16s http://localhost:%d/ (sign in with the API key)%n", "Dashboard", port);
        out.printf("  %-16s %s%n", "Metering API", Urls.redact(env.platform().meteringUrl()));
        if (env.platform().managementPort() >= 0) {
            out.printf("  %-16s http://%s:%d/metrics%n", "Metrics", env.platform().config().management().host(),
                    env.platform().managementPort());
        }
        out.printf("  %-16s %s%n", "Tenant", DevEnvironment.TENANT);
        out.printf("  %-16s in %s (the ferry commands below read it from there)%n", "API key",
                env.dataDirKeyFile());
        out.printf("  %-16s %s%n", "Functions", String.join(", ", DevEnvironment.BUILT_INS));
        out.println();
        String reach = clientOptions(port, env.dataDirKeyFile().getParent());
        out.println("Try:  ./ferry invoke echo --data hi" + reach);
        out.println("      ./ferry top" + reach);
        if (env.persistent()) {
            out.println("Ctrl-C stops Ferry; the data stays for the next start.");
        } else {
            out.println("Ctrl-C stops Ferry. The " + env.kafka().brokerCount() + " brokers run in memory: deployed "
                    + "functions, invocations and usage are gone at the next start (the tenant and API key stay).");
        }
        out.flush();
    }

    /**
     * What a client command needs besides its defaults to reach this dev process: {@code --url} off port 8080 and
     * {@code --data-dir} (where it finds the API key) away from {@code ./.ferry-data}; empty with both defaults. A
     * hint that works only with the defaults sent a tester to the wrong port.
     */
    static String clientOptions(int gatewayPort, java.nio.file.Path dataDir) {
        StringBuilder options = new StringBuilder();
        if (!GatewayOptions.DEFAULT_URL.equals("http://localhost:" + gatewayPort)) {
            options.append(" --url http://localhost:").append(gatewayPort);
        }
        java.nio.file.Path defaultDir = java.nio.file.Path.of(".ferry-data").toAbsolutePath().normalize();
        if (!dataDir.toAbsolutePath().normalize().equals(defaultDir)) {
            options.append(" --data-dir ").append(dataDir);
        }
        return options.toString();
    }
}

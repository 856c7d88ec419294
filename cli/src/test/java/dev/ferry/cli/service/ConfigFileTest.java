package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.cli.CliException;
import dev.ferry.core.config.FerryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Secrets given with {@code --set} are on the command line, which {@code ps} shows every user of the machine; every
 * service command and {@code ferry dev} take Ferry settings from a file instead ({@code --config-file}).
 */
class ConfigFileTest {

    private static final String TOKEN = "tok-" + "9f8e7d6c5b4a";

    @TempDir
    Path dir;

    private Path file(String text) throws Exception {
        Path file = dir.resolve("ferry.properties");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void shouldTakeSecretsFromTheFileInEveryServiceCommandAndDev() throws Exception {
        Path file = file("management.token=" + TOKEN + "\nmetering.http.token=" + TOKEN + "-m\n"
                + "kafka.sasl.mechanism=PLAIN\n");
        List<ServiceCommand> services = List.of(new ServiceCommand.Gateway(), new ServiceCommand.Dispatcher(),
                new ServiceCommand.Worker(), new ServiceCommand.Autoscaler(), new ServiceCommand.Metering());
        for (ServiceCommand service : services) {
            new CommandLine(service).parseArgs("--config-file", file.toString());
            FerryConfig config = service.connection.toConfig(Map.of());
            assertThat(config.management().token()).as(service.getClass().getSimpleName()).isEqualTo(TOKEN);
            assertThat(config.metering().httpToken()).isEqualTo(TOKEN + "-m");
            assertThat(config.kafkaClientProperties()).containsEntry("sasl.mechanism", "PLAIN");
        }
        DevOptions dev = new DevOptions();
        new CommandLine(dev).parseArgs("--config-file", file.toString());
        assertThat(dev.connection.toConfig(Map.of()).management().token()).isEqualTo(TOKEN);
    }

    @Test
    void shouldLetSetOverrideTheFileAndTheFileOverrideTheDefaults() throws Exception {
        Path file = file("management.port=9500\ngateway.port=8181\n");
        ServiceCommand gateway = new ServiceCommand.Gateway();
        new CommandLine(gateway).parseArgs("--config-file", file.toString(), "--set", "gateway.port=8282");

        FerryConfig config = gateway.connection.toConfig(Map.of("management.port", 9400, "gateway.port", 8080));

        assertThat(config.management().port()).isEqualTo(9500);
        assertThat(config.gateway().port()).isEqualTo(8282);
    }

    @Test
    void shouldRefuseAnUnknownKeyNamingItButNeverItsValue() throws Exception {
        Path file = file("managment.token=" + TOKEN + "\n");
        ServiceCommand metering = new ServiceCommand.Metering();
        new CommandLine(metering).parseArgs("--config-file", file.toString());

        assertThatThrownBy(() -> metering.connection.toConfig(Map.of()))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("managment.token").hasMessageContaining(file.toString())
                .hasMessageNotContaining(TOKEN);
    }

    @Test
    void shouldRefuseAnUnknownSetKeyAsTheFileDoes() {
        // Tester 15A, finding 6: a misspelt --set key was ignored and the setting meant left at its default.
        for (ServiceCommand service : List.of(new ServiceCommand.Dispatcher(), new ServiceCommand.Gateway())) {
            new CommandLine(service).parseArgs("--set", "dispatcher.transactinal.id=x", "--set", "gateway.id=g1",
                    "--set", "kafka.linger.ms=5");
            assertThatThrownBy(() -> service.connection.toConfig(Map.of())).isInstanceOfSatisfying(CliException.class,
                    e -> assertThat(e.exitCode()).isEqualTo(2))
                    .hasMessageContaining("--set").hasMessageContaining("dispatcher.transactinal.id")
                    .hasMessageNotContaining("gateway.id").hasMessageNotContaining("kafka.linger.ms");
        }
        DevOptions dev = new DevOptions();
        new CommandLine(dev).parseArgs("--set", "managment.token=" + TOKEN);
        assertThatThrownBy(() -> dev.connection.toConfig(Map.of())).isInstanceOfSatisfying(CliException.class,
                e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("managment.token").hasMessageNotContaining(TOKEN);
    }

    @Test
    void shouldRefuseAFileItCannotReadNamingIt() {
        Path missing = dir.resolve("absent.properties");
        ServiceCommand worker = new ServiceCommand.Worker();
        new CommandLine(worker).parseArgs("--config-file", missing.toString());

        assertThatThrownBy(() -> worker.connection.toConfig(Map.of()))
                .isInstanceOf(CliException.class).hasMessageContaining(missing.toString());
    }

    @Test
    void shouldSayInWordsWhyAFileCannotBeRead() throws Exception {
        Path latin1 = dir.resolve("latin1.properties");
        Files.write(latin1, "gateway.id=caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        for (Map.Entry<Path, String> file : Map.of(dir, "is a directory", latin1, "not UTF-8",
                dir.resolve("absent.properties"), "no such file").entrySet()) {
            ServiceCommand worker = new ServiceCommand.Worker();
            new CommandLine(worker).parseArgs("--config-file", file.getKey().toString());

            assertThatThrownBy(() -> worker.connection.toConfig(Map.of())).isInstanceOfSatisfying(CliException.class,
                    e -> assertThat(e.exitCode()).isEqualTo(2))
                    .hasMessageContaining(file.getKey().toString()).hasMessageContaining(file.getValue())
                    .hasMessageNotContaining("Exception");
        }
    }

    @Test
    void shouldRefuseAKafkaConfigFileItCannotReadAsAUsageErrorSayingWhy() {
        // Session 11 tester: a missing --kafka-config file exited 1 with the bare path as its reason.
        Path missing = dir.resolve("nope.properties");
        ServiceCommand dispatcher = new ServiceCommand.Dispatcher();
        new CommandLine(dispatcher).parseArgs("--kafka-config", missing.toString());
        assertThatThrownBy(() -> dispatcher.connection.toConfig(Map.of())).isInstanceOfSatisfying(CliException.class,
                e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("--kafka-config").hasMessageContaining(missing.toString())
                .hasMessageContaining("no such file");

        ServiceCommand worker = new ServiceCommand.Worker();
        new CommandLine(worker).parseArgs("--set", FerryConfig.KAFKA_CONFIG_FILE + "=" + dir);
        assertThatThrownBy(() -> worker.connection.toConfig(Map.of())).isInstanceOfSatisfying(CliException.class,
                e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining(FerryConfig.KAFKA_CONFIG_FILE).hasMessageContaining("is a directory");
    }

    @Test
    void shouldRefuseABadValueAsAUsageErrorLikeAnUnknownKeyNamingTheKeyButNeverTheValue() throws Exception {
        Path file = file("gateway.port=" + TOKEN + "\n");
        ServiceCommand gateway = new ServiceCommand.Gateway();
        new CommandLine(gateway).parseArgs("--config-file", file.toString());

        assertThatThrownBy(() -> gateway.connection.toConfig(Map.of())).isInstanceOfSatisfying(CliException.class,
                e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("gateway.port").hasMessageContaining(file.toString())
                .hasMessageNotContaining(TOKEN);
        ServiceCommand set = new ServiceCommand.Gateway();
        new CommandLine(set).parseArgs("--set", "gateway.port=abc");
        assertThatThrownBy(() -> set.connection.toConfig(Map.of())).isInstanceOfSatisfying(CliException.class,
                e -> assertThat(e.exitCode()).isEqualTo(2)).hasMessageContaining("gateway.port");
    }
}

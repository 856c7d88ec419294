package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.cli.CliException;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.core.config.ManagementConfig;
import dev.ferry.core.config.MeteringConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service command ({@code ferry gateway}, {@code ferry metering}) refuses a taken port before it contacts Kafka.
 * A standalone gateway used to fail only after about 14 s, leaving its reply topic and a quota report behind.
 * The bootstrap address here leads nowhere: a check that ran after the first Kafka call would time out instead.
 */
class ServicePortCheckTest {

    private static final FerryConfig NOWHERE = FerryConfig.defaults()
            .with(FerryConfig.BOOTSTRAP_SERVERS, "127.0.0.1:1")
            .with(ManagementConfig.PORT, -1);

    @Test
    void shouldRefuseAGatewayOnATakenPortBeforeContactingKafka() throws Exception {
        try (ServerSocket taken = bound()) {
            int port = taken.getLocalPort();
            StringWriter out = new StringWriter();

            assertThatThrownBy(() -> start(NOWHERE.with(GatewayConfig.PORT, port), EnumSet.of(Platform.Role.GATEWAY),
                    out))
                    .isInstanceOf(CliException.class)
                    .hasMessage("port " + port + " (gateway) is in use; choose another with --set gateway.port=N");
            assertThat(out.toString()).as("no service started").doesNotContain("started");
        }
    }

    @Test
    void shouldCheckOnlyThePortsOfTheRolesItStarts() throws Exception {
        try (ServerSocket taken = bound()) {
            int port = taken.getLocalPort();
            FerryConfig config = NOWHERE.with(GatewayConfig.PORT, port).with(MeteringConfig.HTTP_PORT, port + 0);

            assertThatThrownBy(() -> start(config, EnumSet.of(Platform.Role.METERING), new StringWriter()))
                    .isInstanceOf(CliException.class)
                    .hasMessage("port " + port + " (metering usage API) is in use; choose another with "
                            + "--set metering.http.port=N");
            assertThat(Platform.servicePorts(config, EnumSet.of(Platform.Role.DISPATCHER),
                    Platform.PortOptions.SERVICE)).satisfies(PortCheck::requireFree);
        }
    }

    @Test
    void shouldNameTheManagementOptionOfTheServiceCommands() throws Exception {
        try (ServerSocket taken = bound()) {
            FerryConfig config = NOWHERE.with(ManagementConfig.PORT, taken.getLocalPort());

            assertThatThrownBy(() -> start(config, EnumSet.of(Platform.Role.DISPATCHER), new StringWriter()))
                    .isInstanceOf(CliException.class)
                    .hasMessageContaining("(management listener) is in use; choose another with --management-port");
        }
    }

    @Test
    void shouldRefuseAGatewayWhoseTenantsFileIsMissingOrBrokenBeforeContactingKafka(@TempDir Path dir)
            throws Exception {
        // Tester 15A, finding 3: it started, said it was ready and answered every key 401.
        int port;
        try (ServerSocket free = bound()) {
            port = free.getLocalPort();
        }
        Path typo = dir.resolve("tenatns.json");
        Path broken = Files.writeString(dir.resolve("bad.json"), "{\"tenants\": [");
        for (Path file : List.of(typo, broken)) {
            FerryConfig config = NOWHERE.with(GatewayConfig.PORT, port)
                    .with(GatewayConfig.TENANTS_FILE, file.toString());
            StringWriter out = new StringWriter();
            assertThatThrownBy(() -> start(config, EnumSet.of(Platform.Role.GATEWAY), out))
                    .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                    .hasMessageContaining(file.toString());
            assertThat(out.toString()).as("no service started").doesNotContain("started");
            // Only a gateway reads the file.
            Platform.requireTenantsFile(config, EnumSet.of(Platform.Role.DISPATCHER));
        }
        Platform.requireTenantsFile(NOWHERE, EnumSet.of(Platform.Role.GATEWAY)); // none configured: allowed
    }

    private static void start(FerryConfig config, Set<Platform.Role> roles, StringWriter out) {
        Platform.start(config, roles, null, new PrintWriter(out)).close();
    }

    private static ServerSocket bound() throws java.io.IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(0));
        return socket;
    }
}

package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.embedded.junit.FerryKafkaTest;
import dev.ferry.embedded.junit.KafkaFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Issue 12: {@code ferry dev --schema-registry http://user:SECRET@host} printed the password in its banner. Every
 * URL that is printed or logged has its credentials masked, and the dev tenant's API key is printed nowhere: the
 * banner names the file it is in.
 */
@FerryKafkaTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecretMaskingIT {

    private static final String SECRET = "S3cr3tPassw0rd";

    @Test
    void shouldKeepTheRegistryPasswordOutOfTheBannerAndTheLogsWhenDevJoinsACluster(KafkaFixture kafka,
            @TempDir Path dataDir) throws Exception {
        URI registry = URI.create(kafka.schemaRegistryUrl());
        String withCredentials = "http://ferry-user:" + SECRET + "@" + registry.getHost() + ":" + registry.getPort();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        StringWriter out = new StringWriter();
        DevEnvironment env = null;
        try {
            // The operator token from a file (--set would put it in ps): in force, and printed nowhere either.
            Path settings = Files.writeString(dataDir.resolve("ferry.properties"), "management.token=Dev" + SECRET
                    + "\n");
            DevOptions options = new DevOptions();
            new CommandLine(options).parseArgs("--data-dir", dataDir.toString(), "--port", "0",
                    "--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry", withCredentials,
                    "--topic-prefix", "mask.", "--set", "metering.http.port=0", "--set", "management.port=0",
                    "--config-file", settings.toString());
            PrintWriter printer = new PrintWriter(out, true);
            env = DevEnvironment.start(options.settings(), printer);
            DevCommand.banner(printer, env, 0);
            assertThat(env.platform().config().management().token()).isEqualTo("Dev" + SECRET);
        } finally {
            if (env != null) {
                env.close();
            }
            root.detachAppender(logs);
        }

        String apiKey = env.apiKey();
        assertThat(out.toString()).contains("Schema Registry").contains("http://ferry-user:****@")
                .doesNotContain(SECRET).as("the dev tenant's API key: only the file it is in")
                .doesNotContain(apiKey).contains(dataDir.resolve("api-key").toString());
        assertThat(logs.list).isNotEmpty().allSatisfy(event -> {
            assertThat(event.getFormattedMessage()).doesNotContain(SECRET).doesNotContain(apiKey);
            if (event.getThrowableProxy() != null && event.getThrowableProxy().getMessage() != null) {
                assertThat(event.getThrowableProxy().getMessage()).doesNotContain(SECRET).doesNotContain(apiKey);
            }
        });
    }

    /**
     * Secrets given with {@code --set} are visible in {@code ps}; a service takes them from {@code --config-file}
     * and neither its banner nor any log line carries them, while they are in force: {@code /metrics} needs the
     * token from the file.
     */
    @Test
    void shouldTakeTheTokensFromTheConfigFileAndPrintOrLogThemNowhere(KafkaFixture kafka, @TempDir Path dir)
            throws Exception {
        String token = "Mgmt" + SECRET;
        String meteringToken = "Meter" + SECRET;
        Path file = dir.resolve("ferry.properties");
        Files.writeString(file, "management.token=" + token + "\nmetering.http.token=" + meteringToken
                + "\nmanagement.port=0\n");
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        StringWriter out = new StringWriter();
        ServiceCommand dispatcher = new ServiceCommand.Dispatcher();
        Platform platform = null;
        int metrics;
        HttpResponse<String> anonymous;
        HttpResponse<String> operator;
        HttpResponse<String> ready;
        try {
            new CommandLine(dispatcher).parseArgs("--bootstrap-servers", kafka.bootstrapServers(),
                    "--schema-registry", kafka.schemaRegistryUrl(), "--topic-prefix", "maskfile.",
                    "--config-file", file.toString());
            PrintWriter console = new PrintWriter(out, true);
            platform = dispatcher.start(console, StartCheck.NONE);
            dispatcher.ready(console, platform);
            metrics = platform.managementPort();
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + metrics + "/metrics");
            anonymous = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            operator = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            // Session 12: the dispatcher's readiness is on the management listener, open like /healthz.
            ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
        } finally {
            if (platform != null) {
                platform.close();
            }
            root.detachAppender(logs);
        }

        assertThat(anonymous.statusCode()).as("the file's token is in force").isEqualTo(401);
        assertThat(operator.statusCode()).isEqualTo(200);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("\"dispatcher\":\"ok\"").contains("\"status\":\"ready\"");
        assertThat(out.toString()).contains("Starting the Ferry dispatcher").contains("/metrics")
                .doesNotContain(SECRET);
        assertThat(logs.list).isNotEmpty().allSatisfy(event -> {
            assertThat(event.getFormattedMessage()).doesNotContain(SECRET);
            if (event.getThrowableProxy() != null && event.getThrowableProxy().getMessage() != null) {
                assertThat(event.getThrowableProxy().getMessage()).doesNotContain(SECRET);
            }
        });
    }
}

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
            @TempDir Path dataDir) {
        URI registry = URI.create(kafka.schemaRegistryUrl());
        String withCredentials = "http://ferry-user:" + SECRET + "@" + registry.getHost() + ":" + registry.getPort();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        StringWriter out = new StringWriter();
        DevEnvironment env = null;
        try {
            DevOptions options = new DevOptions();
            new CommandLine(options).parseArgs("--data-dir", dataDir.toString(), "--port", "0",
                    "--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry", withCredentials,
                    "--topic-prefix", "mask.", "--set", "metering.http.port=0", "--set", "management.port=0");
            PrintWriter printer = new PrintWriter(out, true);
            env = DevEnvironment.start(options.settings(), printer);
            DevCommand.banner(printer, env, 0);
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
            if (event.getThrowableProxy() != null) {
                assertThat(event.getThrowableProxy().getMessage()).doesNotContain(SECRET).doesNotContain(apiKey);
            }
        });
    }
}

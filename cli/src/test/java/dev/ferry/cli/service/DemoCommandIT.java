package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.Ferry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry demo}, shortened: it must run the whole scenario, print its summary and exit 0. */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DemoCommandIT {

    @Test
    void shouldRunTheScenarioAndPrintASummaryWithLatencyScalingAndCost(@TempDir Path dataDir) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // What would print into the live status line: WARNs of the platform's own classes (tester's report).
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        ch.qos.logback.classic.Logger ferry = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                "dev.ferry.ingest");
        ferry.addAppender(logs);

        int exit;
        try {
            exit = Ferry.execute(new PrintWriter(out, true), new PrintWriter(err, true), "demo",
                    "--duration", "6s", "--rate", "10", "--burst", "80",
                    "--data-dir", dataDir.toString(), "--port", "0", "--kafka-port", "0", "--registry-port", "0",
                    "--set", "metering.http.port=0", "--set", "management.port=0", "--usage-window", "2s",
                    "--usage-grace", "1s");
        } finally {
            ferry.detachAppender(logs);
        }

        String text = out.toString();
        assertThat(exit).as(err.toString()).isZero();
        assertThat(text.indexOf("Waking the demo's pools from zero replicas... done"))
                .as("the pools are awake (the platform ready) before the load starts").isNotNegative()
                .isLessThan(text.indexOf("Load for"));
        assertThat(logs.list).as("no usage WARN from a metering that is starting")
                .noneMatch(e -> e.getFormattedMessage().startsWith("Usage source failed"));
        assertThat(text).contains("Summary").contains("Demo finished");
        assertThat(text).containsPattern("(?m)^echo\\s+\\d+\\s+[1-9]\\d*\\s+0\\s+[\\d.]+\\s+[\\d.]+\\s+\\d+")
                .as("every steady echo call succeeded");
        assertThat(text).containsPattern("(?m)^fail\\s+\\d+\\s+0\\s+[1-9]").as("fail failed, by design");
        assertThat(text).containsPattern("(?m)^sleep\\s+(\\d+)\\s+\\1\\s+0").as("every burst call was accepted");
        assertThat(text).containsPattern("(?m)^default\\s+[1-9]\\d*\\s+\\d+\\.\\d+\\s+0\\.\\d+")
                .as("the tenant was billed");
    }
}

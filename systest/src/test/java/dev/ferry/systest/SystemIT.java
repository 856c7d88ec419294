package dev.ferry.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.systest.FerryProcesses.Layout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, part 2: a 3-broker cluster and Ferry as separate OS processes (two gateways, two dispatchers, two
 * worker processes, one autoscaler, two metering instances), started from the built jar with the real command
 * line, under a steady load of synchronous and asynchronous calls over both gateways; each case breaks one thing
 * and a {@link Verifier} checks every accepted invocation. Tagged {@code system}: run with {@code -Dsystem}
 * (systest/README.md), about 3 minutes a case on 2 cores.
 */
@Tag("system")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SystemIT {

    /** Where each case's processes keep their data and logs (one directory per case, kept after the run). */
    static final Path ROOT = Path.of("target", "systest-runs").toAbsolutePath();

    @Test
    void shouldLoseNothingWhenTheBrokerLeadingTheInvocationsIsKilledAndRestarted() throws Exception {
        try (SystemRun run = SystemRun.start("broker-sigkill", Layout.FULL, ROOT)) {
            run.startLoad();
            run.steadyFor(100);
            String before = run.kafka().leaders("ferry.invocations").toString();
            int leader = run.kafka().leaderOfMost("ferry.invocations");
            run.kafka().kill(leader);
            run.steadyFor(300);
            run.kafka().restart(leader);
            run.kafka().awaitFullIsr(Set.of("ferry.invocations", "ferry.results"), java.time.Duration.ofMinutes(3));
            run.steadyFor(100);
            assertPassed(run.finish("SIGKILL of broker " + leader + ", leader of most ferry.invocations partitions "
                    + "(partition to leader before: " + before + "), after 100 calls; restarted after 300 more; "
                    + "100 calls after every replica was back in sync.", ""));
        }
    }

    @Test
    void shouldLoseNothingWhenADispatcherIsKilled() throws Exception {
        killOne("dispatcher-sigkill", "dispatcher-0");
    }

    @Test
    void shouldRepeatOnlyTheKilledWorkersAttemptsWhenAWorkerProcessIsKilled() throws Exception {
        killOne("worker-sigkill", "worker-0");
    }

    @Test
    void shouldBillExactlyWhenAMeteringInstanceIsKilled() throws Exception {
        killOne("metering-sigkill", "metering-0");
    }

    @Test
    void shouldLoseNothingWhenAGatewayIsKilledAndClientsRetryToTheOther() throws Exception {
        killOne("gateway-sigkill", "gateway-0");
    }

    @Test
    void shouldLoseNothingInARollingRestartOfEveryServiceWithSigterm() throws Exception {
        try (SystemRun run = SystemRun.start("rolling-restart", Layout.FULL, ROOT)) {
            run.startLoad();
            run.steadyFor(100);
            List<String> exits = new ArrayList<>();
            for (String service : List.of("metering-0", "metering-1", "dispatcher-0", "dispatcher-1", "worker-0",
                    "worker-1", "autoscaler-0", "gateway-0", "gateway-1")) {
                exits.add(service + " " + run.ferry().stop(service));
                run.ferry().restart(service);
                run.steadyFor(40);
            }
            Verifier.Verdict verdict = run.finish("SIGTERM and restart of each service in turn (metering, "
                    + "dispatchers, workers, autoscaler, gateways), 40 calls between two.", "Exit statuses: "
                    + exits + ".");
            assertThat(exits).as("every service stops cleanly on SIGTERM").allMatch(e -> e.endsWith(" 0"));
            assertPassed(verdict);
        }
    }

    private static void killOne(String name, String service) throws Exception {
        try (SystemRun run = SystemRun.start(name, Layout.FULL, ROOT)) {
            run.startLoad();
            run.steadyFor(100);
            run.kill(service);
            run.steadyFor(300);
            run.ferry().restart(service);
            run.steadyFor(100);
            assertPassed(run.finish("SIGKILL of " + service + " after 100 calls; restarted after 300 more; then "
                    + "100 calls.", ""));
        }
    }

    static void assertPassed(Verifier.Verdict verdict) {
        assertThat(verdict.gaveUp()).as("calls no gateway accepted within 90 s of retries").isZero();
        assertThat(verdict.lostIds()).as("accepted invocations without a final result").isEmpty();
        assertThat(verdict.unexplained()).as("results repeated other than a killed worker's in-flight attempts")
                .isEmpty();
        assertThat(verdict.usageBilledMs()).as("billed ms on ferry.usage = billed time of the results")
                .isEqualTo(verdict.expectedBilledMs());
        assertThat(verdict.usageMbMs()).as("MB-ms on ferry.usage = memory x billed time of the results")
                .isEqualTo(verdict.expectedMbMs());
    }
}

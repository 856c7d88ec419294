package dev.ferry.systest;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The system tests' short representative case, run by every {@code mvn verify} (issue 15, part 2): a 3-broker
 * cluster and Ferry as separate processes from the built jar (1 gateway, 1 dispatcher, 2 workers, 1 metering),
 * about 20 s of steady sync and async load, and one worker process killed with SIGKILL in the middle. The long
 * cases, with the full layout, are {@link SystemIT} ({@code -Dsystem}, systest/README.md).
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class WorkerKillIT {

    @Test
    void shouldLoseNothingAndRepeatOnlyTheKilledWorkersAttemptsWhenAWorkerProcessIsKilledUnderLoad() throws Exception {
        try (SystemRun run = SystemRun.start("worker-sigkill-short", FerryProcesses.Layout.SMALL, SystemIT.ROOT)) {
            run.startLoad();
            run.steadyFor(100);
            run.kill("worker-0");
            run.steadyFor(300);
            Verifier.Verdict verdict = run.finish("SIGKILL of worker-0 after 100 calls, then 300 calls with "
                    + "worker-1 alone.", "");
            SystemIT.assertPassed(verdict);
        }
    }

}

package dev.ferry.systest;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The system tests' short case (issue 15, part 2): a 3-broker cluster and Ferry as separate processes from the built
 * jar (1 gateway, 1 dispatcher, 2 workers, 1 metering), about 20 s of steady sync and async load, and one worker
 * process killed with SIGKILL in the middle. Tagged {@code system} (session 12, to keep {@code mvn verify} within
 * CI's budget): it runs with {@code -Dsystem}, with the long cases of {@link SystemIT} (systest/README.md). What it
 * proves is carried in {@code mvn verify} by the worker's {@code CrashIT} (a worker process killed with SIGKILL: every
 * invocation answered, only the killed worker's in-flight attempts repeated) and {@code TriggerCrashIT}, and by
 * metering's {@code MeteringCrashIT} (instances killed mid-stream: every attempt billed exactly once); only the
 * separate processes and the 3 brokers are left to {@code -Dsystem}.
 */
@Tag("integration")
@Tag("system")
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

package dev.ferry.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ChildThreadTicksTest {

    @Test
    void shouldReadUserAndSystemTicksAfterANameWithSpacesAndParentheses() {
        String stat = "4242 (C2 CompilerThre) S 4200 4200 0 0 -1 4194368 1 0 0 0 731 26 0 0 20 0 40 0 100 0 0";
        ChildThreadTicks.Thread thread = ChildThreadTicks.parse(stat);
        assertThat(thread.compiler()).isTrue();
        assertThat(thread.ticks()).isEqualTo(757);

        ChildThreadTicks.Thread odd = ChildThreadTicks.parse(
                "7 (a (b) c) R 1 1 0 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 100 0 0");
        assertThat(odd.compiler()).isFalse();
        assertThat(odd.ticks()).isEqualTo(11);
    }

    @Test
    void shouldRefuseALineWithoutTheFields() {
        assertThatThrownBy(() -> ChildThreadTicks.parse("12 (short) S 1 2"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCountASpinningThreadOutsideTheCompilersShare() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux's /proc");
        long pid = ProcessHandle.current().pid();
        ChildThreadTicks before = ChildThreadTicks.of(pid);
        // 300 ms of this thread's CPU: 30 ticks at Linux's usual 100 a second, not the compilers'.
        long spin = System.nanoTime() + 300_000_000L;
        long sum = 0;
        while (System.nanoTime() < spin) {
            sum += Long.numberOfTrailingZeros(System.nanoTime());
        }
        double share = ChildThreadTicks.of(pid).compilerShareSince(before);
        assertThat(sum).isPositive();
        assertThat(share).isNotNaN().isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
    }
}

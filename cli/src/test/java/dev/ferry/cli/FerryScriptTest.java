package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ferry} script's class archive (issue 16, start to ready): recorded by the first {@code dev} or
 * {@code demo} after a build, used by every later command while it is newer than the jar, never kept half-written.
 * The script runs as a user runs it, from a copy of the repository's root holding only the script and a jar, with a
 * stand-in {@code java} first on the PATH that logs its arguments and writes the archive it is asked for when it
 * exits, as the JVM does (no JVM needed: what is tested is the script's part).
 */
class FerryScriptTest {

    private static final Path SCRIPT = Path.of("..", "ferry");
    private static final String ARCHIVE_AT_EXIT = "-XX:ArchiveClassesAtExit=";
    private static final String SHARED_ARCHIVE = "-XX:SharedArchiveFile=";

    @TempDir
    Path root;
    private Path jar;
    private Path archive;
    private Path javaLog;
    private Path bin;

    @BeforeEach
    void copyTheScriptBesideAJar() throws IOException {
        Files.copy(SCRIPT, root.resolve("ferry"));
        root.resolve("ferry").toFile().setExecutable(true);
        Path target = Files.createDirectories(root.resolve("cli/target"));
        jar = Files.writeString(target.resolve("ferry.jar"), "not a real jar");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        archive = target.resolve("ferry.jsa");
        javaLog = root.resolve("java-calls.log");
        bin = Files.createDirectories(root.resolve("bin"));
        Path java = Files.writeString(bin.resolve("java"), """
                #!/usr/bin/env bash
                # Stand-in for the JVM: logs its arguments, writes the archive it is asked to record as it exits.
                if [ "$*" = "-Xshare:on -version" ]; then exit "${FAKE_JAVA_BASE_ARCHIVE_EXIT:-0}"; fi
                out=""
                for arg in "$@"; do case "$arg" in -XX:ArchiveClassesAtExit=*) out="${arg#*=}";; esac; done
                finish() { if [ -n "$out" ]; then echo archive > "$out"; fi; exit "${FAKE_JAVA_EXIT:-0}"; }
                trap finish TERM
                echo "$*" >> "$FAKE_JAVA_LOG"
                echo $$ > "$FAKE_JAVA_LOG.pid"
                if [ -n "${FAKE_JAVA_RUNS_UNTIL_TERM:-}" ]; then while :; do sleep 0.05; done; fi
                finish
                """);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Process start(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("ferry").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("FAKE_JAVA_LOG", javaLog.toString());
        builder.environment().remove("FERRY_CDS");
        builder.environment().remove("FERRY_CLASSPATH");
        builder.environment().remove("FERRY_JAVA_OPTS");
        builder.environment().putAll(env);
        return builder.start();
    }

    private int run(Map<String, String> env, String... args) throws Exception {
        Process process = start(env, args);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the script ended").isTrue();
        return process.exitValue();
    }

    /** The script records only where util-linux's setpriv can tie the JVM's life to its own (every Linux). */
    private static void assumeTheScriptCanRecord() throws Exception {
        Process help;
        try {
            help = new ProcessBuilder("setpriv", "--help").redirectErrorStream(true).start();
        } catch (IOException e) {
            help = null;
        }
        boolean pdeathsig = help != null && new String(help.getInputStream().readAllBytes()).contains("--pdeathsig");
        assumeTrue(pdeathsig, "no setpriv with --pdeathsig here: the script records no archive");
    }

    /** The arguments of the stand-in java's last call. */
    private String lastJavaCall() throws IOException {
        List<String> calls = Files.readAllLines(javaLog);
        return calls.get(calls.size() - 1);
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(archive.getParent())) {
            return files.filter(file -> file.getFileName().toString().startsWith("ferry.jsa.")).toList();
        }
    }

    @Test
    void shouldRecordTheArchiveAtTheFirstDevAndStartEveryLaterCommandFromIt() throws Exception {
        assumeTheScriptCanRecord();
        assertThat(run(Map.of(), "dev", "--port", "1")).isZero();

        assertThat(lastJavaCall()).contains(ARCHIVE_AT_EXIT + archive + ".").endsWith("dev --port 1");
        assertThat(archive).exists();
        assertThat(leftovers()).isEmpty();

        assertThat(run(Map.of(), "invoke", "echo")).isZero();
        assertThat(lastJavaCall()).contains(SHARED_ARCHIVE + archive).doesNotContain(ARCHIVE_AT_EXIT);
    }

    @Test
    void shouldNotUseAnArchiveOlderThanTheJarAndRecordANewOneAtTheNextDev() throws Exception {
        assumeTheScriptCanRecord();
        Files.writeString(archive, "an archive of an older build");
        Files.setLastModifiedTime(archive, FileTime.from(Instant.now().minusSeconds(120)));

        assertThat(run(Map.of(), "invoke", "echo")).isZero();
        assertThat(lastJavaCall()).doesNotContain(SHARED_ARCHIVE).doesNotContain(ARCHIVE_AT_EXIT);

        assertThat(run(Map.of(), "demo")).isZero();
        assertThat(lastJavaCall()).contains(ARCHIVE_AT_EXIT);
        assertThat(Files.readString(archive)).isEqualTo("archive\n");
    }

    @Test
    void shouldNeitherRecordNorUseAnArchiveWhenTurnedOff() throws Exception {
        assertThat(run(Map.of("FERRY_CDS", "off"), "dev")).isZero();
        assertThat(lastJavaCall()).doesNotContain(ARCHIVE_AT_EXIT).doesNotContain(SHARED_ARCHIVE);
        assertThat(archive).doesNotExist();

        Files.writeString(archive, "archive\n");
        assertThat(run(Map.of("FERRY_CDS", "off"), "invoke", "echo")).isZero();
        assertThat(lastJavaCall()).doesNotContain(SHARED_ARCHIVE);
    }

    /** Tester 18A: with -Xshare:off of the user's, the recording JVM refused to start, at every dev. */
    @Test
    void shouldStayOutWhenTheUsersJavaOptionsSpeakOfClassSharing() throws Exception {
        for (String options : List.of("-Xshare:off", "-Xmx1g -XX:SharedArchiveFile=/elsewhere/mine.jsa",
                "-XX:ArchiveClassesAtExit=/elsewhere/mine.jsa")) {
            assertThat(run(Map.of("FERRY_JAVA_OPTS", options), "dev")).isZero();
            assertThat(lastJavaCall()).as(options).startsWith(options + " ").doesNotContain(
                    ARCHIVE_AT_EXIT + archive).doesNotContain(SHARED_ARCHIVE + archive);
        }
        assertThat(archive).doesNotExist();

        Files.writeString(archive, "archive\n");
        assertThat(run(Map.of("FERRY_JAVA_OPTS", "-Xshare:off"), "invoke", "echo")).isZero();
        assertThat(lastJavaCall()).doesNotContain(SHARED_ARCHIVE);
    }

    @Test
    void shouldNotKeepWhatAJvmKilledWhileRecordingLeftAndShouldPassOnItsStatus() throws Exception {
        assertThat(run(Map.of("FAKE_JAVA_EXIT", "137"), "dev")).isEqualTo(137);

        assertThat(archive).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    /**
     * Tester 18A: a SIGKILL of the script (an IDE's stop, {@code kill -9}) left the recording JVM running, still
     * serving, and later its recording behind. It must end Ferry as a SIGKILL of an exec'd JVM does.
     */
    @Test
    void shouldEndTheRecordingJvmWhenTheScriptIsKilled() throws Exception {
        Process script = start(Map.of("FAKE_JAVA_RUNS_UNTIL_TERM", "yes"), "dev");
        Path javaPid = Path.of(javaLog + ".pid");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(javaPid) && Files.size(javaPid) > 0);
        long java = Long.parseLong(Files.readString(javaPid).trim());

        script.destroyForcibly();

        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> ProcessHandle.of(java).map(handle -> !handle.isAlive()).orElse(true));
        } finally {
            ProcessHandle.of(java).ifPresent(ProcessHandle::destroyForcibly); // no stand-in left looping if it failed
        }
    }

    @Test
    void shouldRemoveARecordingWhoseScriptIsGone() throws Exception {
        Path abandoned = Files.writeString(archive.resolveSibling("ferry.jsa.2147483646"), "half an archive");

        assertThat(run(Map.of(), "invoke", "echo")).isZero();

        assertThat(abandoned).doesNotExist();
    }

    /** A JDK without a base class archive cannot record (the JVM refuses to start): then dev runs without. */
    @Test
    void shouldRunWithoutRecordingOnAJdkWithoutABaseArchive() throws Exception {
        assertThat(run(Map.of("FAKE_JAVA_BASE_ARCHIVE_EXIT", "1"), "dev")).isZero();

        assertThat(lastJavaCall()).doesNotContain(ARCHIVE_AT_EXIT).endsWith("-jar " + jar + " dev");
        assertThat(archive).doesNotExist();
    }

    /** Tester 18A: the archive of {@code dev --help} took the place of a real one until the next build. */
    @Test
    void shouldNotRecordWhileOnlyAskingForHelp() throws Exception {
        assertThat(run(Map.of(), "dev", "--help")).isZero();

        assertThat(lastJavaCall()).doesNotContain(ARCHIVE_AT_EXIT);
        assertThat(archive).doesNotExist();
    }

    /** A start that failed (a taken port, a bad option) loaded few classes: the next dev records instead. */
    @Test
    void shouldNotKeepTheRecordingOfAStartThatFailed() throws Exception {
        assertThat(run(Map.of("FAKE_JAVA_EXIT", "1"), "dev", "--port", "1")).isEqualTo(1);

        assertThat(archive).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    /** What Ctrl-C or a supervisor's SIGTERM does to a recording run: Ferry stops as usual and the archive is kept. */
    @Test
    void shouldPassATermToTheRecordingJvmAndKeepTheArchiveItWritesAsItStops() throws Exception {
        assumeTheScriptCanRecord();
        Process script = start(Map.of("FAKE_JAVA_RUNS_UNTIL_TERM", "yes"), "dev");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(javaLog));

        script.destroy(); // SIGTERM to the script, as a supervisor or `kill` sends it

        assertThat(script.waitFor(30, TimeUnit.SECONDS)).as("the script ended").isTrue();
        assertThat(script.exitValue()).isZero();
        assertThat(archive).exists();
        assertThat(leftovers()).isEmpty();
    }
}

package dev.ferry.cli.service;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The console line of a JVM that records the class archive as it exits (the {@code ferry} script's first {@code dev}
 * or {@code demo} after a build, issue 16): the JDK writes the archive after the command's last line, for some
 * seconds, and without this line the terminal looked finished but did not return (tester 18A, finding 4).
 */
final class ClassArchiveNotice {

    /** The JVM option the script records with (JEP 350). */
    static final String RECORDING_OPTION = "-XX:ArchiveClassesAtExit=";

    private ClassArchiveNotice() {
    }

    /** Says that the class archive is being written, when this JVM records one; nothing otherwise. */
    static void sayIfRecording(PrintWriter out) {
        sayIfRecording(out, ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    /** As above, for a JVM started with {@code jvmArguments}. */
    static void sayIfRecording(PrintWriter out, List<String> jvmArguments) {
        if (jvmArguments.stream().anyMatch(argument -> argument.startsWith(RECORDING_OPTION))) {
            out.println("Writing the class archive that makes later starts faster (once after a build, some seconds)...");
            out.flush();
        }
    }
}

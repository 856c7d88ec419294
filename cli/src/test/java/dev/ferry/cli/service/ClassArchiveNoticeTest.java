package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassArchiveNoticeTest {

    private static String said(List<String> jvmArguments) {
        StringWriter console = new StringWriter();
        ClassArchiveNotice.sayIfRecording(new PrintWriter(console), jvmArguments);
        return console.toString();
    }

    /** Tester 18A, finding 4: the JVM wrote the archive for 8-12 s after "stopped" with nothing said. */
    @Test
    void shouldSayTheArchiveIsBeingWrittenWhenThisJvmRecordsOne() {
        assertThat(said(List.of("-Xmx1g", "-XX:ArchiveClassesAtExit=/repo/cli/target/ferry.jsa.4242")))
                .startsWith("Writing the class archive").contains("some seconds");
    }

    @Test
    void shouldSayNothingOtherwise() {
        assertThat(said(List.of("-XX:SharedArchiveFile=/repo/cli/target/ferry.jsa", "-Xlog:cds=off"))).isEmpty();
    }
}

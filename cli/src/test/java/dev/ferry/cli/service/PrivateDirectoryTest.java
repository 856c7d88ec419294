package dev.ferry.cli.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tester 15A, finding 8: {@code ferry dev}'s embedded broker kept every tenant's payloads in 0644 segments under
 * 0755 directories of the data directory, readable by every local user.
 */
class PrivateDirectoryTest {

    @TempDir
    Path dir;

    @BeforeEach
    void posix() {
        assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX file modes");
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void shouldCreateTheDataDirAndWhatFerryKeepsInItForItsUserOnly() throws Exception {
        Path data = dir.resolve("a/b/.ferry-data");

        PrivateDirectory.prepare(data);

        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(mode(data.resolve("kafka"))).isEqualTo("rwx------");
        assertThat(mode(data.resolve("metering"))).isEqualTo("rwx------");
        PrivateDirectory.prepare(data); // a restart
        assertThat(mode(data)).isEqualTo("rwx------");
    }

    @Test
    void shouldTightenTheDataDirOfAnOlderVersion() throws Exception {
        Path data = Files.createDirectory(dir.resolve(".ferry-data"));
        Path segments = Files.createDirectories(data.resolve("kafka/kafka/ferry.results-0"));
        Files.writeString(data.resolve("api-key"), "k\n");
        for (Path p : new Path[] {data, data.resolve("kafka"), data.resolve("kafka/kafka"), segments}) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }

        PrivateDirectory.prepare(data);

        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(mode(data.resolve("kafka"))).isEqualTo("rwx------");
    }

    @Test
    void shouldLeaveADirectoryThatIsNotFerrysAsItWasButMakeFerrysOwnInItPrivate() throws Exception {
        Path project = Files.createDirectory(dir.resolve("project"));
        Files.writeString(project.resolve("notes.txt"), "mine");
        Files.setPosixFilePermissions(project, PosixFilePermissions.fromString("rwxr-xr-x"));

        PrivateDirectory.prepare(project);

        assertThat(mode(project)).isEqualTo("rwxr-xr-x");
        assertThat(mode(project.resolve("kafka"))).isEqualTo("rwx------");
        assertThat(mode(project.resolve("metering"))).isEqualTo("rwx------");
    }
}

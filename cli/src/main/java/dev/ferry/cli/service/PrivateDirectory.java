package dev.ferry.cli.service;

import dev.ferry.cli.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * {@code ferry dev}'s data directory, readable by its user only (tester 15A, finding 8): the embedded broker keeps
 * every tenant's payloads and outputs in its log segments there, which it writes with the process umask (0644
 * files in 0755 directories on most machines), so any local user could read them. A directory that denies others
 * makes all it holds unreachable to them, whatever its files' own modes, so the data directory is made
 * {@code rwx------}, and so are the directories Ferry keeps in it ({@value #KAFKA}, {@value #METERING}), which also
 * guards them when the data directory itself is left as it was.
 *
 * <p>An existing data directory (of an older version, made 0755) is tightened when it is safe to: it is owned by
 * this user and looks like Ferry's (it holds {@code api-key}, {@code tenants.json} or {@value #KAFKA}) or is empty.
 * Another directory named with {@code --data-dir} ({@code .} or a home directory) is left as it was; the
 * directories Ferry makes in it are private all the same. Nothing is done on a file system without POSIX modes.
 * Kafka Streams makes metering's state dir {@code rwxr-x---} again at each start (seen: {@value #METERING} 0750,
 * segments 0644 under {@code kafka/} 0700); within the private data directory that is out of others' reach too,
 * and it holds usage counts, not payloads.
 */
final class PrivateDirectory {

    static final String KAFKA = "kafka";
    static final String METERING = "metering";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final List<String> FERRY_FILES = List.of("api-key", "tenants.json", KAFKA);

    private PrivateDirectory() {
    }

    /**
     * Creates {@code dataDir} and its {@value #KAFKA} and {@value #METERING} directories owner-only, or tightens
     * them when they exist (see the class).
     *
     * @throws CliException (exit 1) naming the directory that cannot be created
     */
    static void prepare(Path dataDir) {
        boolean ours = !Files.exists(dataDir) || looksLikeFerrys(dataDir);
        ensure(dataDir, ours);
        ensure(dataDir.resolve(KAFKA), true);
        ensure(dataDir.resolve(METERING), true);
    }

    private static void ensure(Path dir, boolean tighten) {
        try {
            if (!Files.exists(dir)) {
                Path parent = dir.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                if (posix(dir.toAbsolutePath().getParent())) {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } else {
                    Files.createDirectory(dir);
                }
            }
            if (tighten && posix(dir) && ownedByMe(dir)) {
                Files.setPosixFilePermissions(dir, OWNER_ONLY);
            }
        } catch (IOException e) {
            throw new CliException("cannot create the data directory " + dir + ": " + e.getMessage());
        }
    }

    private static boolean looksLikeFerrys(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        if (FERRY_FILES.stream().anyMatch(name -> Files.exists(dir.resolve(name)))) {
            return true;
        }
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean posix(Path path) {
        return path != null && Files.getFileAttributeView(path, PosixFileAttributeView.class) != null;
    }

    private static boolean ownedByMe(Path dir) throws IOException {
        return Files.getOwner(dir).getName().equals(System.getProperty("user.name"));
    }
}

package dev.ferry.embedded.internal;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deleting an embedded broker's temporary directory once it has stopped: a failure is logged, never thrown. */
final class TempDirectories {

    private static final Logger LOG = LoggerFactory.getLogger(TempDirectories.class);

    private TempDirectories() {
    }

    /**
     * Deletes {@code dir} and everything in it; nothing when it is null.
     *
     * @param whose whose directory it is, for the warning ("the embedded broker's")
     */
    static void deleteQuietly(Path dir, String whose) {
        if (dir == null) {
            return;
        }
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            LOG.warn("Could not delete {} temporary directory {}", whose, dir, e);
        }
    }
}

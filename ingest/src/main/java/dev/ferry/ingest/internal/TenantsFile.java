package dev.ferry.ingest.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ferry.core.FerryException;
import dev.ferry.core.config.GatewayConfig;
import dev.ferry.ingest.Quota;
import dev.ferry.ingest.TopicPatterns;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The tenants file: JSON, one entry per tenant with its key hashes and optional quota. It never holds a key in
 * clear. Writes go to a temporary file that is then moved over the old one, so a reader (a gateway reloading it)
 * never sees half a file.
 *
 * <pre>{@code
 * {"tenants": [{"name": "acme",
 *               "keys": [{"id": "k1f3a9c2e", "sha256": "9f86d0...", "createdAt": "2026-01-01T00:00:00Z"}],
 *               "quota": {"requestsPerSecond": 50, "burst": 100, "maxConcurrent": 20},
 *               "topics": ["orders*", "acme.*"]}]}
 * }</pre>
 *
 * <p>{@code topics} (optional; none when absent) lists the patterns of the Kafka topics the tenant's triggers may
 * name ({@link dev.ferry.ingest.TopicPatterns}).
 */
public final class TenantsFile {

    /** One stored key: an id to name it by (for rotation), and the hash. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StoredKey(String id, String sha256, String createdAt) {
    }

    /** One tenant; {@code topics} is null (left out of the file) when the tenant may name no topic. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StoredTenant(String name, List<StoredKey> keys, Quota quota, List<String> topics) {
        public StoredTenant {
            keys = keys == null ? List.of() : List.copyOf(keys);
            topics = topics == null || topics.isEmpty() ? null : List.copyOf(topics);
        }

        public StoredTenant(String name, List<StoredKey> keys, Quota quota) {
            this(name, keys, quota, null);
        }

        /** The same tenant with other keys. */
        public StoredTenant withKeys(List<StoredKey> newKeys) {
            return new StoredTenant(name, newKeys, quota, topics);
        }

        /** The topics its triggers may name; none when the entry has no {@code topics}. */
        public TopicPatterns topicPatterns() {
            return TopicPatterns.of(topics);
        }
    }

    public record Contents(List<StoredTenant> tenants) {
        public Contents {
            tenants = tenants == null ? List.of() : List.copyOf(tenants);
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private TenantsFile() {
    }

    /**
     * The tenants of a file that must be there: the gateway's, named by {@code gateway.tenants.file}. A missing
     * file is a mistake in the path (tester 15A, finding 3: a typo'd path started a gateway that refused every key
     * with 401 and said it was ready), not a file of no tenants.
     *
     * @throws FerryException naming the path and the setting, when the file does not exist or cannot be read
     */
    public static Contents readExisting(Path file) {
        if (!Files.exists(file)) {
            throw new FerryException("The tenants file " + file + " (" + GatewayConfig.TENANTS_FILE + ") does not "
                    + "exist: fix the path, or create the file with 'ferry tenants create NAME --file " + file + "'");
        }
        return read(file);
    }

    /** The file's tenants; none when the file does not exist yet ({@code ferry tenants} is about to write it). */
    public static Contents read(Path file) {
        if (!Files.exists(file)) {
            return new Contents(List.of());
        }
        try {
            return MAPPER.readValue(file.toFile(), Contents.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Jackson's words and where, without its source dump; they may quote the file, which holds only hashes.
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw new FerryException("Cannot read the tenants file " + file + ": " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), e);
        } catch (IOException e) {
            throw new FerryException("Cannot read the tenants file " + file + ": " + e.getMessage(), e);
        }
    }

    public static void write(Path file, Contents contents) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, ".tenants", ".tmp");
            try {
                restrictToOwner(temp);
                MAPPER.writeValue(temp.toFile(), contents);
                try {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new FerryException("Cannot write the tenants file " + file + ": " + e.getMessage(), e);
        }
    }

    public static List<StoredTenant> replace(List<StoredTenant> tenants, StoredTenant updated) {
        List<StoredTenant> result = new ArrayList<>();
        boolean replaced = false;
        for (StoredTenant tenant : tenants) {
            if (tenant.name().equals(updated.name())) {
                result.add(updated);
                replaced = true;
            } else {
                result.add(tenant);
            }
        }
        if (!replaced) {
            result.add(updated);
        }
        return result;
    }

    /** Hashes are not secrets, but the file says who may call what: keep it private where the OS allows. */
    private static void restrictToOwner(Path path) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: its own ACLs apply
        }
    }
}

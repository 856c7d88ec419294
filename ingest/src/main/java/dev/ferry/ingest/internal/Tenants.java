package dev.ferry.ingest.internal;

import dev.ferry.core.config.GatewayConfig;
import dev.ferry.ingest.TopicPatterns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is calling: turns an {@code Authorization} header into a tenant. The tenants file is re-read when it
 * changes (checked at most once a second), so a key created with {@code TenantAdmin} works without a restart.
 *
 * <p>The first read must succeed: a configured file that is missing or cannot be parsed fails the constructor,
 * naming the path, so a gateway with a typo'd or broken file does not start (tester 15A, finding 3: it started,
 * said it was ready and answered every key 401). Later, a file that is missing or cannot be read keeps the last
 * good contents, logged at ERROR: a file being replaced (a Kubernetes Secret swapped) must not refuse every caller.
 */
public final class Tenants {

    private static final Logger log = LoggerFactory.getLogger(Tenants.class);
    private static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** An authenticated caller, with the topics its triggers may name. */
    public record Caller(String tenant, Limits limits, TopicPatterns topics) {
        public Caller(String tenant, Limits limits) {
            this(tenant, limits, TopicPatterns.none());
        }
    }

    private final Path file;
    private final GatewayConfig defaults;
    private final LongSupplier nanoTime;
    private volatile List<TenantsFile.StoredTenant> tenants = List.of();
    private volatile FileTime loadedVersion;
    private volatile long nextCheck;
    private volatile TopicsByTenant topicsByTenant;

    /**
     * @param file the tenants file, or null for none (every call 401)
     * @throws dev.ferry.core.FerryException naming {@code file} when it does not exist or cannot be read
     */
    public Tenants(Path file, GatewayConfig defaults, LongSupplier nanoTime) {
        this.file = file;
        this.defaults = defaults;
        this.nanoTime = nanoTime;
        if (file == null) {
            log.warn("No tenants file ({}): every call will be refused with 401", GatewayConfig.TENANTS_FILE);
        } else {
            nextCheck = nanoTime.getAsLong() + CHECK_INTERVAL_NANOS;
            loadedVersion = modified(file);
            tenants = TenantsFile.readExisting(file).tenants();
            log.info("Loaded {} tenants from {}", tenants.size(), file);
        }
    }

    /** Whether a tenants file is configured (without one every call is refused). */
    public boolean hasFile() {
        return file != null;
    }

    /**
     * The caller an {@code Authorization: Bearer <key>} header names.
     *
     * @throws ApiException 401 when the header is missing, malformed or holds no known key
     */
    public Caller authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("Missing API key: send Authorization: Bearer <api-key>");
        }
        String trimmed = authorization.trim();
        if (trimmed.length() < 8 || !trimmed.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("Malformed Authorization header: expected Bearer <api-key>");
        }
        String key = trimmed.substring(7).trim();
        return find(key).orElseThrow(() -> unauthorized("Unknown API key"));
    }

    /** The tenant a key belongs to, if any. */
    public Optional<Caller> find(String key) {
        if (file != null) {
            reloadIfChanged();
        }
        Caller found = null;
        // Check every tenant, so timing does not depend on where the match is.
        for (TenantsFile.StoredTenant tenant : tenants) {
            List<String> hashes = tenant.keys().stream().map(TenantsFile.StoredKey::sha256).toList();
            if (ApiKeys.matchesAny(key, hashes) && found == null) {
                found = new Caller(tenant.name(), Limits.of(tenant.quota(), defaults), topics(tenant));
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Every tenant's topic patterns, the file re-read first when it is due. The same map (by identity) until the
     * contents change, so a caller can tell a change from a re-read of the same contents; empty without a file.
     */
    public Map<String, TopicPatterns> topicsByTenant() {
        if (file != null) {
            reloadIfChanged();
        }
        List<TenantsFile.StoredTenant> current = tenants;
        TopicsByTenant cached = topicsByTenant;
        if (cached == null || cached.from() != current) {
            Map<String, TopicPatterns> map = new LinkedHashMap<>();
            current.forEach(tenant -> map.put(tenant.name(), topics(tenant)));
            cached = new TopicsByTenant(current, Collections.unmodifiableMap(map));
            topicsByTenant = cached;
        }
        return cached.topics();
    }

    /** The map {@link #topicsByTenant()} built from one read of the file. */
    private record TopicsByTenant(List<TenantsFile.StoredTenant> from, Map<String, TopicPatterns> topics) {
    }

    /** A bad pattern in the file (written by hand) allows nothing rather than making the tenant unusable. */
    private static TopicPatterns topics(TenantsFile.StoredTenant tenant) {
        try {
            return tenant.topicPatterns();
        } catch (IllegalArgumentException e) {
            log.warn("Tenant {} may name no topic: its topics in the tenants file are invalid: {}", tenant.name(),
                    e.getMessage());
            return TopicPatterns.none();
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.exists(file) ? Files.getLastModifiedTime(file) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void reloadIfChanged() {
        long now = nanoTime.getAsLong();
        if (now - nextCheck < 0) {
            return;
        }
        nextCheck = now + CHECK_INTERVAL_NANOS;
        try {
            FileTime version = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
            if (Objects.equals(version, loadedVersion)) {
                return;
            }
            tenants = TenantsFile.readExisting(file).tenants();
            loadedVersion = version;
            log.info("Loaded {} tenants from {}", tenants.size(), file);
        } catch (IOException | RuntimeException e) {
            log.error("Keeping the previous tenants: cannot load {}: {}", file, e.getMessage());
        }
    }

    private static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message);
    }
}

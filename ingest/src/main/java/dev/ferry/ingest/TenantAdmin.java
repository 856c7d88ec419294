package dev.ferry.ingest;

import dev.ferry.core.FunctionRef;
import dev.ferry.ingest.internal.ApiKeys;
import dev.ferry.ingest.internal.TenantsFile;
import dev.ferry.ingest.internal.TenantsFile.StoredKey;
import dev.ferry.ingest.internal.TenantsFile.StoredTenant;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Manages the tenants file ({@code gateway.tenants.file}): creates tenants and API keys, sets quotas. A new key is
 * returned in clear exactly once, for the caller to hand to its owner; the file keeps only its SHA-256. Running
 * gateways pick up changes within a second, without a restart.
 *
 * <pre>{@code
 * String key = new TenantAdmin(Path.of("tenants.json")).createTenant("acme");
 * // give `key` to acme: Authorization: Bearer <key>
 * }</pre>
 *
 * <p>Calls within one JVM are serialized; do not edit the file from two processes at once.
 */
public final class TenantAdmin {

    private static final Object LOCK = new Object();

    private final Path file;

    public TenantAdmin(Path file) {
        this.file = file;
    }

    /**
     * Checks that {@code file} can serve a gateway: it exists and parses, as the gateway's first read of it
     * requires; a command calls this before starting anything, to refuse a mistake in the path as a usage error.
     *
     * @throws dev.ferry.core.FerryException naming {@code file} and saying what is wrong with it
     */
    public static void requireReadable(Path file) {
        TenantsFile.readExisting(file);
    }

    /** Creates a tenant with default quotas and returns its first API key, in clear. */
    public String createTenant(String name) {
        return createTenant(name, Quota.defaults());
    }

    /**
     * Creates a tenant and returns its first API key, in clear: the only time it is available.
     *
     * @throws IllegalArgumentException for an invalid name or a tenant that already exists
     */
    public String createTenant(String name, Quota quota) {
        FunctionRef.requireValidName("tenant", name);
        synchronized (LOCK) {
            TenantsFile.Contents contents = TenantsFile.read(file);
            if (find(contents, name).isPresent()) {
                throw new IllegalArgumentException("Tenant '" + name + "' already exists in " + file);
            }
            String key = ApiKeys.newKey();
            StoredTenant tenant = new StoredTenant(name, List.of(stored(key)), quota);
            List<StoredTenant> tenants = new ArrayList<>(contents.tenants());
            tenants.add(tenant);
            TenantsFile.write(file, new TenantsFile.Contents(tenants));
            return key;
        }
    }

    /** Adds another key to an existing tenant (e.g. to rotate) and returns it, in clear. */
    public String createKey(String tenant) {
        synchronized (LOCK) {
            TenantsFile.Contents contents = TenantsFile.read(file);
            StoredTenant current = find(contents, tenant)
                    .orElseThrow(() -> new IllegalArgumentException("No tenant '" + tenant + "' in " + file));
            String key = ApiKeys.newKey();
            List<StoredKey> keys = new ArrayList<>(current.keys());
            keys.add(stored(key));
            TenantsFile.write(file, new TenantsFile.Contents(TenantsFile.replace(contents.tenants(),
                    current.withKeys(keys))));
            return key;
        }
    }

    /**
     * One of a tenant's API keys as the tenants file knows it: its id (what {@link #revokeKey} takes, printed when
     * the key is created) and when it was created (ISO-8601). The key itself is never stored.
     */
    public record KeyEntry(String id, String createdAt) {
    }

    /**
     * A tenant's keys, oldest first.
     *
     * @throws IllegalArgumentException for an unknown tenant
     */
    public List<KeyEntry> keys(String tenant) {
        StoredTenant current = find(TenantsFile.read(file), tenant)
                .orElseThrow(() -> new IllegalArgumentException("No tenant '" + tenant + "' in " + file));
        return current.keys().stream().map(k -> new KeyEntry(k.id(), k.createdAt())).toList();
    }

    /**
     * Revokes one key by its id (e.g. a leaked key, or the old one after a rotation); running gateways refuse it
     * with 401 within a second. Revoking a tenant's last key is allowed: the tenant is then locked out until
     * {@link #createKey} gives it a new one.
     *
     * @return how many keys the tenant has left
     * @throws IllegalArgumentException for an unknown tenant or a key id the tenant does not have
     */
    public int revokeKey(String tenant, String keyId) {
        synchronized (LOCK) {
            TenantsFile.Contents contents = TenantsFile.read(file);
            StoredTenant current = find(contents, tenant)
                    .orElseThrow(() -> new IllegalArgumentException("No tenant '" + tenant + "' in " + file));
            List<StoredKey> kept = current.keys().stream().filter(k -> !k.id().equals(keyId)).toList();
            if (kept.size() == current.keys().size()) {
                throw new IllegalArgumentException("Tenant '" + tenant + "' has no key '" + keyId + "' (its keys: "
                        + String.join(", ", current.keys().stream().map(StoredKey::id).toList()) + ")");
            }
            TenantsFile.write(file, new TenantsFile.Contents(TenantsFile.replace(contents.tenants(),
                    current.withKeys(kept))));
            return kept.size();
        }
    }

    /** The id of a key given in clear (as {@link #keys} lists it); empty when no tenant has that key. */
    public Optional<String> keyIdOf(String key) {
        String hash = ApiKeys.hash(key);
        return TenantsFile.read(file).tenants().stream().flatMap(t -> t.keys().stream())
                .filter(k -> k.sha256().equals(hash)).map(StoredKey::id).findFirst();
    }

    /** Removes every key of a tenant but the one given (after a rotation); returns how many were removed. */
    public int revokeOtherKeys(String tenant, String keepKey) {
        synchronized (LOCK) {
            TenantsFile.Contents contents = TenantsFile.read(file);
            StoredTenant current = find(contents, tenant)
                    .orElseThrow(() -> new IllegalArgumentException("No tenant '" + tenant + "' in " + file));
            String keep = ApiKeys.hash(keepKey);
            List<StoredKey> kept = current.keys().stream().filter(k -> k.sha256().equals(keep)).toList();
            TenantsFile.write(file, new TenantsFile.Contents(TenantsFile.replace(contents.tenants(),
                    current.withKeys(kept))));
            return current.keys().size() - kept.size();
        }
    }

    /**
     * Sets the Kafka topics a tenant's triggers may name ({@link TopicPatterns}: exact names, {@code *} for any run
     * of characters); an empty list allows none. Ferry's own topics stay refused whatever the patterns say.
     *
     * @return the patterns as stored (trimmed, without duplicates)
     * @throws IllegalArgumentException for an unknown tenant or an invalid pattern (the message names it)
     */
    public TopicPatterns setTopics(String tenant, List<String> patterns) {
        TopicPatterns valid = TopicPatterns.of(patterns);
        synchronized (LOCK) {
            TenantsFile.Contents contents = TenantsFile.read(file);
            StoredTenant current = find(contents, tenant)
                    .orElseThrow(() -> new IllegalArgumentException("No tenant '" + tenant + "' in " + file));
            TenantsFile.write(file, new TenantsFile.Contents(TenantsFile.replace(contents.tenants(),
                    new StoredTenant(tenant, current.keys(), current.quota(), valid.patterns()))));
            return valid;
        }
    }

    /** The topics a tenant's triggers may name; empty for an unknown tenant. */
    public Optional<TopicPatterns> topics(String tenant) {
        return find(TenantsFile.read(file), tenant).map(StoredTenant::topicPatterns);
    }

    /** Every tenant's name, in file order. */
    public List<String> tenants() {
        return TenantsFile.read(file).tenants().stream().map(StoredTenant::name).toList();
    }

    public Optional<Quota> quota(String tenant) {
        return find(TenantsFile.read(file), tenant).map(StoredTenant::quota);
    }

    /** The tenant a key belongs to (e.g. to check a saved key still works); empty for an unknown key. */
    public Optional<String> tenantOf(String key) {
        for (StoredTenant tenant : TenantsFile.read(file).tenants()) {
            if (ApiKeys.matchesAny(key, tenant.keys().stream().map(StoredKey::sha256).toList())) {
                return Optional.of(tenant.name());
            }
        }
        return Optional.empty();
    }

    private static Optional<StoredTenant> find(TenantsFile.Contents contents, String name) {
        return contents.tenants().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    private static StoredKey stored(String key) {
        String id = "k" + UUID.randomUUID().toString().substring(0, 8);
        return new StoredKey(id, ApiKeys.hash(key), Instant.now().toString());
    }

    @Override
    public String toString() {
        return "TenantAdmin[" + file + "]";
    }
}

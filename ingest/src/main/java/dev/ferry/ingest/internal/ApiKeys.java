package dev.ferry.ingest.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;

/**
 * API keys: 256 random bits, stored only as their SHA-256. A slow password hash is not needed because the key is
 * high-entropy (nobody can guess it from its hash), and a fast hash keeps authentication cheap on every request.
 */
public final class ApiKeys {

    /** Marks a string as a Ferry key, so leaked keys are easy to find in code and logs scanners. */
    public static final String PREFIX = "ferry_";

    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {
    }

    public static String newKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The hex SHA-256 of a key, as the tenants file stores it. */
    public static String hash(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    /**
     * Whether {@code key} hashes to one of {@code storedHashes}. Every stored hash is compared, each in constant
     * time, so the answer's timing does not tell which (or how much of one) matched.
     */
    public static boolean matchesAny(String key, Collection<String> storedHashes) {
        byte[] presented = sha256(key);
        boolean match = false;
        for (String stored : storedHashes) {
            byte[] expected;
            try {
                expected = HexFormat.of().parseHex(stored);
            } catch (IllegalArgumentException e) {
                continue;
            }
            match |= MessageDigest.isEqual(presented, expected);
        }
        return match;
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }
}

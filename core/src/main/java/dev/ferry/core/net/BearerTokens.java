package dev.ferry.core.net;

import dev.ferry.core.FerryException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The shared-token check of Ferry's operator listeners (the management listener, metering's usage API): a caller
 * sends {@code Authorization: Bearer <token>}, compared in constant time so response timing reveals nothing of the
 * token (issue 12). Tokens are never logged.
 */
public final class BearerTokens {

    private static final String PREFIX = "Bearer ";

    private BearerTokens() {
    }

    /**
     * True when {@code expected} is empty (no token required) or {@code authorization} is {@code Bearer <expected>}.
     * Both sides are hashed first, so the comparison takes the same time whatever the lengths.
     */
    public static boolean accepts(String expected, String authorization) {
        if (expected == null || expected.isEmpty()) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return false;
        }
        String offered = authorization.substring(PREFIX.length()).trim();
        return MessageDigest.isEqual(sha256(expected), sha256(offered));
    }

    /** The {@code Authorization} header value that carries {@code token}. */
    public static String header(String token) {
        return PREFIX + token;
    }

    /**
     * Refuses a listener that anyone on the network could reach without a token: {@code bindAddress} must be a
     * loopback address unless {@code token} is set.
     *
     * @throws FerryException naming {@code tokenKey}, the setting that is missing
     */
    public static void requireTokenOffLoopback(String listener, String bindAddress, String token, String tokenKey) {
        if (token != null && !token.isEmpty()) {
            return;
        }
        if (!isLoopback(bindAddress)) {
            throw new FerryException("The " + listener + " would listen on " + bindAddress + " without a token: set "
                    + tokenKey + " (callers then send 'Authorization: Bearer <token>'), or bind it to 127.0.0.1");
        }
    }

    static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}

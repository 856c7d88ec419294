package dev.ferry.core.invocation;

import java.util.Optional;

/**
 * The rule for an invocation's text fields that travel as HTTP header values to HTTP functions
 * ({@code invocationId} as {@code Ferry-Invocation-Id}, {@code contentType} as {@code Content-Type}): at most
 * {@link #MAX_LENGTH} characters of printable ASCII. The dispatcher applies it to every request (a record produced
 * straight to Kafka included) and the gateway to what it is given, so an HTTP caller hears 400 at once rather than a
 * rejection from the dispatcher (a tester, session 8: a 302-character Content-Type went all the way to Kafka).
 */
public final class HeaderText {

    /** A UUID is 36 characters and a media type with parameters far less than this. */
    public static final int MAX_LENGTH = 256;
    /** W3C Trace Context's {@code traceparent}, kept by {@link #MAX_LENGTH}: the gateway's and a trigger's rule. */
    public static final String TRACEPARENT = "traceparent";
    /**
     * W3C Trace Context's vendor state, which travels with {@code traceparent} only, never alone: at most
     * {@link #MAX_TRACESTATE_LENGTH} characters.
     */
    public static final String TRACESTATE = "tracestate";
    public static final int MAX_TRACESTATE_LENGTH = 512;

    private HeaderText() {
    }

    /**
     * Why {@code value} cannot be forwarded as the header value of field {@code name}, or empty when it can: its
     * length or the first character that is not printable ASCII, never the value itself (it may hold user data).
     */
    public static Optional<String> problem(String name, String value) {
        return problem(name, value, MAX_LENGTH, "it travels as an HTTP header value");
    }

    /**
     * Why {@code value}, given as or forwarded as an HTTP header value, breaks the rule: at most {@code maxLength}
     * characters, each printable ASCII (U+0020 to U+007E), else empty. HTTP header values reach a server as
     * ISO-8859-1 (RFC 9110, section 5.5: other octets are opaque), so a header value outside ASCII is not the text
     * the caller meant: the UTF-8 bytes of "é" arrive as "Ã©". A gateway refuses such a value rather than store
     * different bytes than the same text given on the Kafka path (a key that silently fails to match its own
     * ordering lane). Control characters are refused for the same reason they are in a forwarded header.
     *
     * @param why the reason named in the answer, e.g. "it travels as an HTTP header value"
     */
    public static Optional<String> problem(String name, String value, int maxLength, String why) {
        if (value == null) {
            return Optional.of(name + " is required");
        }
        if (value.length() > maxLength) {
            return Optional.of(name + " must be at most " + maxLength + " characters, got " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return Optional.of(name + " must be printable ASCII (" + why + "), got "
                        + String.format("U+%04X", (int) c) + " at index " + i);
            }
        }
        return Optional.empty();
    }
}

package dev.ferry.core.invocation;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
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

    /**
     * The value of a mark that says a text is standard base64 (with padding) of the bytes meant, not those bytes as
     * text: {@code Ferry-Key-Encoding} ({@code FERRY_KEY_ENCODING}), {@code ferry.source.key.encoding}
     * ({@code FERRY_SOURCE_KEY_ENCODING}); {@link #encode}.
     */
    public static final String BASE64 = "base64";

    private HeaderText() {
    }

    /**
     * Whether a header name is Ferry's own: it starts with {@code ferry.} or {@code ferry-} in any case (HTTP names
     * and the PROCESS runtime's variable lookup ignore case). Such a name is never taken from outside Ferry: not
     * from a source record's headers (a trigger), not from an {@code InvocationRequest}'s {@code headers} map (the
     * Kafka path, any producer of a work topic), and the gateway keeps no such header of an HTTP caller's. So
     * {@code ferry.source.topic}, {@code ferry.source.tombstone} or {@code Ferry-Tenant} always come from Ferry.
     */
    public static boolean isReserved(String name) {
        return name != null && name.length() >= 6 && (name.regionMatches(true, 0, "ferry.", 0, 6)
                || name.regionMatches(true, 0, "ferry-", 0, 6));
    }

    /**
     * A value as it travels to a function: {@code text} as it is, or, when {@code base64}, standard base64 of the
     * bytes meant (to be marked as such: {@link #BASE64}).
     */
    public record Encoded(String text, boolean base64) {
    }

    /**
     * The one rule for a key (or a source record's header value) a function is told (tester 14A, finding 13: a key
     * of valid UTF-8 holding control characters, as an Avro key's {@code 0x00|schema id|...} is for most ids, was
     * silently left out of an HTTP function's headers, one not UTF-8 arrived as base64 nobody could tell from text):
     * bytes that are printable ASCII (U+0020 to U+007E, the text an HTTP header value carries as it is, and the rule
     * the gateway applies to {@code Ferry-Key}) are that text, an empty array the empty text; any other bytes are
     * standard base64, marked. The same in every runtime, so a JAVA, HTTP and PROCESS function see the same value.
     *
     * @return null for null bytes
     */
    public static Encoded encode(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        for (byte b : bytes) {
            if (b < 0x20 || b > 0x7e) {
                return new Encoded(Base64.getEncoder().encodeToString(bytes), true);
            }
        }
        return new Encoded(new String(bytes, StandardCharsets.US_ASCII), false);
    }

    /** {@link #encode(byte[])} of {@code text}'s UTF-8 bytes: a key given as text (the Kafka path's any string). */
    public static Encoded encode(String text) {
        if (text == null) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return encode(text.getBytes(StandardCharsets.UTF_8));
            }
        }
        return new Encoded(text, false);
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

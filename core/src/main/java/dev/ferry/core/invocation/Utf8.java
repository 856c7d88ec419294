package dev.ferry.core.invocation;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Whether bytes are valid UTF-8, for the places that show a user's bytes as text only when no byte would be lost:
 * a trigger's source key and STRING values, an invocation's output in {@code GET /v1/invocations/{id}}. Decoding
 * invalid bytes with {@code new String(bytes, UTF_8)} replaces them with U+FFFD, and the caller cannot get them
 * back (a tester, session 13: a {@code text/plain; charset=iso-8859-1} output "caf\xe9" read back as "caf\ufffd").
 */
public final class Utf8 {

    private Utf8() {
    }

    /** Whether every byte of {@code bytes} is part of valid UTF-8. */
    public static boolean valid(byte[] bytes) {
        return invalidAt(bytes) < 0;
    }

    /** The index of the first byte that is not part of valid UTF-8, or -1 when all of it is. */
    public static int invalidAt(byte[] bytes) {
        // ASCII, as most keys are, is valid as it is: no decoder per key (issue 16, a trigger reads each record's).
        int ascii = 0;
        while (ascii < bytes.length && bytes[ascii] >= 0) {
            ascii++;
        }
        if (ascii == bytes.length) {
            return -1;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(Math.min(bytes.length, 8192));
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return in.position();
            }
            if (result.isUnderflow()) {
                return -1;
            }
            out.clear(); // overflow: only validity matters, not the text
        }
    }
}

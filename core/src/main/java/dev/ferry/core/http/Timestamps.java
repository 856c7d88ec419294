package dev.ferry.core.http;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Instants as Ferry's HTTP APIs accept them, in headers ({@code Ferry-Deadline}) and query parameters
 * ({@code from}, {@code to}): ISO-8601 ({@code 2026-01-01T00:00:00Z}, an offset allowed) or epoch milliseconds.
 *
 * <p>The range is {@link #MIN} to {@link #MAX}: Ferry stores instants as non-negative epoch-millisecond longs
 * (Avro {@code timestamp-millis}, Kafka record timestamps) and does arithmetic on them, and four-digit years are what
 * ISO-8601 allows without an agreed expansion. {@code +999999999-12-31T23:59:59Z} parses as a Java instant but has
 * no epoch-millisecond long: it is refused here as bad input, never met later as an overflow (issue 12). Parsed
 * instants are truncated to milliseconds, the precision they are stored with.
 */
public final class Timestamps {

    /** The earliest instant accepted: the epoch. */
    public static final Instant MIN = Instant.EPOCH;
    /** The latest instant accepted: the last millisecond of year 9999. */
    public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999Z");

    private Timestamps() {
    }

    /**
     * @param what the header or parameter, named in the error
     * @throws HttpError 400 {@code bad_request} naming {@code what} when the text is neither form or out of range
     */
    public static Instant parse(String what, String text) {
        String trimmed = text == null ? "" : text.trim();
        Instant instant;
        try {
            if (!trimmed.isEmpty() && trimmed.chars().allMatch(c -> c >= '0' && c <= '9')) {
                instant = Instant.ofEpochMilli(Long.parseLong(trimmed));
            } else {
                instant = Instant.parse(trimmed);
            }
        } catch (DateTimeException | NumberFormatException | ArithmeticException e) {
            throw HttpError.badRequest(what + " must be an ISO-8601 instant or epoch milliseconds between " + MIN
                    + " and " + MAX + ", got '" + abbreviate(trimmed) + "'");
        }
        if (instant.isBefore(MIN) || instant.isAfter(MAX)) {
            throw HttpError.badRequest(what + " must be between " + MIN + " and " + MAX + ", got '"
                    + abbreviate(trimmed) + "'");
        }
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }

    private static String abbreviate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}

package dev.ferry.ingest.internal;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Instants as the HTTP API accepts them: ISO-8601 ({@code 2026-01-01T00:00:00Z}) or epoch milliseconds. */
public final class Timestamps {

    private Timestamps() {
    }

    /**
     * @throws ApiException 400 naming {@code what} when the text is neither form
     */
    public static Instant parse(String what, String text) {
        String trimmed = text.trim();
        try {
            if (!trimmed.isEmpty() && trimmed.chars().allMatch(Character::isDigit)) {
                return Instant.ofEpochMilli(Long.parseLong(trimmed));
            }
            return Instant.parse(trimmed);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw ApiException.badRequest(what + " must be an ISO-8601 instant or epoch milliseconds, got '"
                    + trimmed + "'");
        }
    }
}

package dev.ferry.ingest;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Which Kafka topics a tenant may name in a trigger (source, destination or failure topic), from the {@code topics}
 * list of its tenants-file entry (DESIGN, "Triggers": "Who may read what"; issue 14, part 4).
 *
 * <p>Each pattern is a topic name in which {@code *} stands for any run of characters (none included):
 * {@code orders} allows exactly {@code orders}, {@code orders*} allows {@code orders} and {@code orders-eu},
 * {@code acme.*} allows {@code acme.clicks}, {@code *} allows every topic. Nothing else is special: {@code .} and
 * {@code ?} are literal, as they are in topic names. No patterns (the default) allow no topic.
 *
 * <p>Ferry's own topics are refused by the gateway whatever the patterns say; these patterns never make one
 * usable.
 */
public final class TopicPatterns {

    /** Longest pattern accepted: Kafka's limit on topic names. */
    public static final int MAX_LENGTH = 249;

    private static final TopicPatterns NONE = new TopicPatterns(List.of());

    private final List<String> patterns;

    private TopicPatterns(List<String> patterns) {
        this.patterns = patterns;
    }

    /** No topic at all: what a tenant gets unless its entry says otherwise. */
    public static TopicPatterns none() {
        return NONE;
    }

    /**
     * The patterns given, trimmed, duplicates dropped, in their order; {@code null} is none.
     *
     * @throws IllegalArgumentException naming the first pattern that is blank, too long, or holds a character no
     *     topic name can hold (topic names use a-z, A-Z, 0-9, '.', '_' and '-')
     */
    public static TopicPatterns of(List<String> patterns) {
        if (patterns == null || patterns.isEmpty()) {
            return NONE;
        }
        LinkedHashSet<String> cleaned = new LinkedHashSet<>();
        for (String raw : patterns) {
            String pattern = raw == null ? "" : raw.trim();
            cleaned.add(requireValid(pattern));
        }
        return new TopicPatterns(List.copyOf(cleaned));
    }

    private static String requireValid(String pattern) {
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("A topic pattern must not be empty");
        }
        if (pattern.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("Topic pattern '" + pattern.substring(0, 64) + "...' is longer than "
                    + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            boolean legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || c == '*';
            if (!legal) {
                throw new IllegalArgumentException("Topic pattern '" + pattern + "' holds '" + c + "': use topic "
                        + "name characters (a-z, A-Z, 0-9, '.', '_', '-') and '*' for any run of characters");
            }
        }
        return pattern;
    }

    /** Whether some pattern allows {@code topic}. */
    public boolean allows(String topic) {
        if (topic == null) {
            return false;
        }
        for (String pattern : patterns) {
            if (matches(pattern, topic)) {
                return true;
            }
        }
        return false;
    }

    /** The patterns, as written in the tenants file. */
    public List<String> patterns() {
        return patterns;
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /**
     * Glob matching with {@code *} only: the text before the first star must start the topic, the text after the
     * last must end it, and the pieces between must appear in order in what lies between. Taking each middle
     * piece at its first occurrence is enough: a later occurrence never leaves more room for the rest.
     */
    static boolean matches(String pattern, String topic) {
        int star = pattern.indexOf('*');
        if (star < 0) {
            return pattern.equals(topic);
        }
        String[] pieces = pattern.split("\\*", -1);
        String head = pieces[0];
        String tail = pieces[pieces.length - 1];
        if (topic.length() < head.length() + tail.length() || !topic.startsWith(head) || !topic.endsWith(tail)) {
            return false;
        }
        int from = head.length();
        int end = topic.length() - tail.length();
        for (int i = 1; i < pieces.length - 1; i++) {
            String piece = pieces[i];
            if (piece.isEmpty()) {
                continue;
            }
            int at = topic.indexOf(piece, from);
            if (at < 0 || at + piece.length() > end) {
                return false;
            }
            from = at + piece.length();
        }
        return true;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TopicPatterns that && patterns.equals(that.patterns);
    }

    @Override
    public int hashCode() {
        return Objects.hash(patterns);
    }

    @Override
    public String toString() {
        return patterns.isEmpty() ? "no topics" : String.join(",", new ArrayList<>(patterns));
    }
}

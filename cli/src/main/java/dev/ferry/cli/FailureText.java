package dev.ferry.cli;

import dev.ferry.core.net.Urls;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the {@code ferry} command prints for a failure it did not foresee: the exception's message and those of its
 * causes, in words, on one line, each said once, without a stack trace ({@code FERRY_DEBUG} adds that), and with
 * secrets masked.
 *
 * <pre>{@code
 * KafkaException("Failed to create new KafkaAdminClient")
 *   <- KafkaException("javax.security.auth.login.LoginException: No JAAS configuration section named 'KafkaClient'...")
 *     <- LoginException("No JAAS configuration section named 'KafkaClient'...")
 * describe(e) == "Failed to create new KafkaAdminClient: No JAAS configuration section named 'KafkaClient'..."
 * }</pre>
 *
 * <p>A cause is left out when its words are already in the line (a wrapper that repeats its cause, as
 * {@code new RuntimeException(cause)} does with {@code cause.toString()}); a cause without a message is named by its
 * class. Masked: the credentials of every URL ({@link Urls#redact(CharSequence)}), and the value of every
 * {@code key=value} or {@code key: value} whose key names a secret (a password, secret, token or credential, a
 * {@code sasl.jaas.config}), quoted or not: the JAAS options {@code password="..."} among them.
 *
 * <p>Not masked: prose that only looks like {@code key: value}. A message says "without a token: set
 * management.token ..." or "for configuration ssl.key.password: Expected ...", where what follows the colon is a
 * word of the sentence, not a secret (tester 15A, finding 7: the operator read {@code **** management.token}). So a
 * {@code key: value} whose value is a plain word (letters, lower case but for the first, at most
 * {@value #PROSE_WORD_MAX} of them) followed by more words is left as it is; a value with a digit, an inner capital
 * or a symbol, a quoted value, the last word of the text, and every {@code key=value} are masked as before.
 */
public final class FailureText {

    /** How many exceptions of a chain are read: chains may loop, and no useful one is longer. */
    private static final int DEPTH = 12;
    /** A secret's key, its separator, and its value (quoted, or up to a space, comma or semicolon). */
    private static final Pattern SECRET = Pattern.compile(
            "(?i)\\b([\\w.-]*(?:password|secret|token|credential|jaas\\.config)[\\w.-]*)(\\s*[=:]\\s*)"
                    + "(\"[^\"]*\"|'[^']*'|[^\\s,;]+)");
    /** A word of a sentence: letters, lower case but for the first (a secret of this shape is a dictionary word). */
    private static final Pattern PROSE_WORD = Pattern.compile("[A-Za-z][a-z]*");
    /** The longest word taken for prose after {@code key:}; a random token of letters only is longer. */
    private static final int PROSE_WORD_MAX = 12;
    /** A space and a further word: the sentence goes on. */
    private static final Pattern MORE_WORDS = Pattern.compile("\\s+[\\w(\"'`]");
    /** {@code some.package.SomeException: } at the start of a message: a wrapper that names its cause's class. */
    private static final Pattern CLASS_PREFIX = Pattern.compile("^(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*: ");
    private static final String MASK = "****";

    private FailureText() {
    }

    /** The failure in words, causes included, secrets masked (see the class); never null. */
    public static String describe(Throwable failure) {
        List<String> parts = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        String line = "";
        for (Throwable t = failure; t != null && seen.add(t) && seen.size() <= DEPTH; t = t.getCause()) {
            String message = t.getMessage();
            if (message == null || message.isBlank()) {
                // Only when nothing better is said: a bare wrapper's class name would be noise.
                if (parts.isEmpty() && t.getCause() == null) {
                    parts.add(t.getClass().getSimpleName());
                }
                continue;
            }
            if (t.getCause() != null && message.equals(t.getCause().toString())) {
                continue; // new Wrapper(cause): its cause says it better, next
            }
            String words = CLASS_PREFIX.matcher(message.strip()).replaceFirst("");
            if (!line.contains(words)) {
                parts.add(words);
                line = String.join(": ", parts);
            }
        }
        if (parts.isEmpty()) {
            parts.add(failure.getClass().getSimpleName());
        }
        return mask(String.join(": ", parts));
    }

    /** {@code text} with URL credentials and the values of secret keys masked (see the class); null stays null. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String redacted = Urls.redact(text);
        Matcher m = SECRET.matcher(redacted);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            if (isProse(m, redacted)) {
                m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
            } else {
                m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + m.group(2) + MASK));
            }
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Whether the {@code key: value} found by {@code m} in {@code text} is a sentence going on (see the class). */
    private static boolean isProse(Matcher m, String text) {
        String value = m.group(3);
        if (m.group(2).indexOf(':') < 0 || value.length() > PROSE_WORD_MAX || !PROSE_WORD.matcher(value).matches()) {
            return false;
        }
        Matcher more = MORE_WORDS.matcher(text);
        more.region(m.end(), text.length());
        return more.lookingAt();
    }

    /** Whether {@code failure} or one of its causes is of {@code type}. */
    static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t) && seen.size() <= DEPTH; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}

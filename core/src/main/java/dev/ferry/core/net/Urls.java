package dev.ferry.core.net;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes URLs safe to print and log (issue 12): the password in a URL's user info ({@code http://user:SECRET@host})
 * becomes {@code ****}, and user info without a password (often a token) is masked whole. Everything else is kept,
 * so an operator still sees which host is meant.
 *
 * <pre>{@code
 * Urls.redact("http://user:SECRET@registry:8081")   // "http://user:****@registry:8081"
 * Urls.redact("https://TOKEN@a,https://b")          // "https://****@a,https://b"
 * }</pre>
 *
 * <p>Use it for every URL (or comma-separated list of them) that reaches a log line, a banner or an exception
 * message; it accepts any text and masks every URL in it.
 */
public final class Urls {

    /** scheme://userinfo@ ; userinfo stops at the characters that end an authority or a list entry. */
    private static final Pattern USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)([^/?#@\\s,]*)@");
    private static final String MASK = "****";

    private Urls() {
    }

    /** {@code text} with the credentials of every URL in it masked; null stays null. */
    public static String redact(CharSequence text) {
        if (text == null) {
            return null;
        }
        Matcher m = USER_INFO.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String userInfo = m.group(2);
            int colon = userInfo.indexOf(':');
            String masked = colon < 0 ? MASK : userInfo.substring(0, colon + 1) + MASK;
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + masked + "@"));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** {@link #redact(CharSequence)} of {@code url.toString()}; null stays null. */
    public static String redact(Object url) {
        return url == null ? null : redact(url.toString());
    }
}

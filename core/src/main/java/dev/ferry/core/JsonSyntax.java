package dev.ferry.core;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;

/**
 * What is wrong with a JSON text, in words fit for a caller: Jackson's message without Jackson's own class and
 * feature names, and where the problem is, as line and column. A tester saw a gateway 400 say
 * {@code Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)} and
 * {@code from `StreamReadConstraints.getMaxNestingDepth()`}: names of the parser's settings, which the caller can
 * neither see nor change.
 */
public final class JsonSyntax {

    /** Jackson's location inside a message: {@code [Source: ...; line: 1, column: 2]}. */
    private static final Pattern LOCATION = Pattern.compile("\\[Source: .*?; line: (\\d+), column: (\\d+)\\]");
    /** Where a limit comes from: {@code , from `StreamReadConstraints.getMaxNestingDepth()`}. */
    private static final Pattern FROM_SETTING = Pattern.compile(",?\\s*from `[^`]*`");
    /** Any other code name left in backquotes: {@code (`StreamReadFeature.X` disabled)} and the like. */
    private static final Pattern CODE_NAME = Pattern.compile("\\s*\\(?`[A-Za-z_$][\\w$]*\\.[\\w$.()]*`[^)]*\\)?");
    private static final int MAX_LENGTH = 300;

    private JsonSyntax() {
    }

    /**
     * {@code e}'s problem, e.g. {@code Unexpected end-of-input: expected close marker for Object (start marker at
     * line 1, column 1) at line 1, column 14}, at most about 300 characters and never naming a Jackson class.
     */
    public static String describe(JsonProcessingException e) {
        String text = e.getOriginalMessage() == null ? "malformed JSON" : e.getOriginalMessage();
        text = LOCATION.matcher(text).replaceAll("line $1, column $2");
        text = FROM_SETTING.matcher(text).replaceAll("");
        text = CODE_NAME.matcher(text).replaceAll("");
        text = text.replaceAll("\\s+", " ").trim();
        if (text.length() > MAX_LENGTH) {
            text = text.substring(0, MAX_LENGTH) + "...";
        }
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            text = text + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        }
        return text;
    }
}

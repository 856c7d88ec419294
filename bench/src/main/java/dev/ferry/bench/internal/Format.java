package dev.ferry.bench.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Numbers as the report prints them: plain decimals (never exponents), so scripts can parse them. */
public final class Format {

    private Format() {
    }

    /** Three significant digits: 0.87, 12.3, 45600. */
    public static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "0";
        }
        if (value == 0) {
            return "0";
        }
        return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /** The ratio of a scenario line: two decimals, plain. */
    public static String ratio(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "0.00";
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }
}

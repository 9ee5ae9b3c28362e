package dev.launchpad.core.text;

/**
 * Numbers written as decimal text: an optional sign, digits with an optional point, an optional exponent
 * ({@code 3}, {@code -0.5}, {@code .5}, {@code 5.}, {@code 1e-3}) — what CSV and JSON writers and pandas produce and
 * read back as numbers. {@link Double#parseDouble} also takes {@code "7d"}, {@code "2f"}, {@code "0x1p3"} and
 * surrounding control characters, which would turn text such as a {@code 7d/30d} category into numbers.
 */
public final class Decimals {
    private Decimals() {
    }

    /** Whether {@code s} is decimal text as described above (no surrounding spaces). */
    public static boolean isDecimal(CharSequence s) {
        int n = s.length();
        int i = 0;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponent = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                exponent++;
            }
            if (exponent == 0) {
                return false;
            }
        }
        return i == n;
    }

    /** The value of decimal text, or null when {@code s} is not decimal text. */
    public static Double parse(String s) {
        return s != null && isDecimal(s) ? Double.parseDouble(s) : null;
    }

    /**
     * A number as CSV writers and pandas spell it: decimal text, or an infinity ({@code inf}, {@code infinity}, signed
     * or not, any case); null otherwise. NaN, a missing value in a CSV, is left to the caller.
     */
    public static Double parseNumber(String s) {
        var value = parse(s);
        if (value != null || s == null) {
            return value;
        }
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> null;
        };
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}

package dev.launchpad.stats;

/** Argument checks shared by the library; every failure is an {@link IllegalArgumentException} naming the culprit. */
public final class Checks {
    private Checks() {
    }

    /** Rejects a null or blank column name. */
    public static void name(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("column name must not be null or blank");
        }
    }

    /** Rejects a null argument, naming the parameter. */
    public static <T> T notNull(T value, String parameter) {
        if (value == null) {
            throw new IllegalArgumentException(parameter + " must not be null");
        }
        return value;
    }

    /** Rejects a probability-like value outside [0, 1] (or NaN). */
    public static double unit(double value, String parameter) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(parameter + " must be in [0, 1], got " + value);
        }
        return value;
    }

    /** Rejects arrays of different lengths. */
    public static void sameLength(int a, int b, String what) {
        if (a != b) {
            throw new IllegalArgumentException(what + " must have the same length, got " + a + " and " + b);
        }
    }
}

package dev.launchpad.stats.validation;

import com.fasterxml.jackson.annotation.JsonSubTypes;

/** Helpers shared by the expectation records. */
final class Expectations {
    private Expectations() {
    }

    static String typeName(Expectation e) {
        for (JsonSubTypes.Type t : Expectation.class.getAnnotation(JsonSubTypes.class).value()) {
            if (t.value() == e.getClass()) {
                return t.name();
            }
        }
        throw new IllegalStateException("unregistered expectation " + e.getClass());
    }

    static void checkMostly(String column, Double mostly) {
        if (mostly != null && !(mostly >= 0 && mostly <= 1)) {
            throw new IllegalArgumentException("expectation on '" + column + "': mostly must be in [0, 1], got " + mostly);
        }
    }

    static void checkRange(String column, Double min, Double max) {
        if (min != null && Double.isNaN(min) || max != null && Double.isNaN(max)) {
            throw new IllegalArgumentException("expectation on '" + column + "': bounds must not be NaN");
        }
        if (min != null && max != null && min > max) {
            throw new IllegalArgumentException("expectation on '" + column + "': min_value " + min + " > max_value " + max);
        }
    }
}

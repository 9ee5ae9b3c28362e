package dev.launchpad.platform.tracking.search;

import java.util.List;

/**
 * One comparison of a search filter, e.g. {@code metrics.rmse < 0.8}. The value is a
 * {@link Double} for a number literal, a {@link String} for a quoted string, a
 * {@code List<String>} for IN lists, and null for IS [NOT] NULL.
 */
public record Clause(EntityType type, String key, Comparator comparator, Object value) {

    public boolean isNumberValue() {
        return value instanceof Double;
    }

    public boolean isStringValue() {
        return value instanceof String;
    }

    @SuppressWarnings("unchecked")
    public List<String> listValue() {
        return (List<String>) value;
    }
}

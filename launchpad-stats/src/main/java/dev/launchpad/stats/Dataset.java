package dev.launchpad.stats;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table: named columns of equal length, in a stable order. The input of drift reports,
 * profiles, validation and schema inference.
 *
 * @param columns the columns by name, in insertion order (unmodifiable)
 * @param rowCount number of rows shared by all columns
 */
public record Dataset(Map<String, Column> columns, int rowCount) {

    public Dataset {
        Checks.notNull(columns, "columns");
        for (var e : columns.entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalArgumentException("column '" + e.getKey() + "' must not be null");
            }
            if (e.getValue().size() != rowCount) {
                throw new IllegalArgumentException("column '" + e.getKey() + "' has " + e.getValue().size()
                        + " rows, expected " + rowCount);
            }
        }
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    /** A dataset of the given columns, which must all have the same length and distinct names. */
    public static Dataset of(Column... columns) {
        return of(List.of(columns));
    }

    /** A dataset of the given columns, which must all have the same length and distinct names. */
    public static Dataset of(List<? extends Column> columns) {
        Checks.notNull(columns, "columns");
        var map = new LinkedHashMap<String, Column>();
        int rows = -1;
        for (Column c : columns) {
            Checks.notNull(c, "column");
            if (map.put(c.name(), c) != null) {
                throw new IllegalArgumentException("duplicate column name '" + c.name() + "'");
            }
            if (rows < 0) {
                rows = c.size();
            } else if (c.size() != rows) {
                throw new IllegalArgumentException("column '" + c.name() + "' has " + c.size()
                        + " rows, expected " + rows);
            }
        }
        return new Dataset(map, Math.max(rows, 0));
    }

    /** The column of that name, or an {@link IllegalArgumentException} naming it. */
    public Column column(String name) {
        Column c = columns.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no column named '" + name + "' (have " + columns.keySet() + ")");
        }
        return c;
    }

    /** Whether a column of that name exists. */
    public boolean has(String name) {
        return columns.containsKey(name);
    }

    /** The column names in order. */
    public List<String> names() {
        return List.copyOf(columns.keySet());
    }
}

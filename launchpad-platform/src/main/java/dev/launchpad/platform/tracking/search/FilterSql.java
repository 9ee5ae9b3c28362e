package dev.launchpad.platform.tracking.search;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Sql;

/**
 * SQL for the clause kinds that every MLflow-style search shares (string comparisons, key/value tag
 * tables) and the type checks on clauses, with MLflow's error messages.
 */
public final class FilterSql {
    private FilterSql() {
    }

    /**
     * A condition on a key/value tag table aliased {@code kv}; {@code correlation} ties it to the outer
     * row, e.g. {@code kv.run_uuid = r.run_uuid}.
     */
    public static void keyValueCondition(Sql sql, Clause clause, String table, String correlation, String kind) {
        requireString(clause, kind);
        // Correlated EXISTS: a primary-key probe per candidate row, so a query walking an index in order
        // can stop after one page.
        var exists = "EXISTS (SELECT 1 FROM " + table + " kv WHERE " + correlation + " AND kv.key = ";
        switch (clause.comparator()) {
            case IS_NULL -> sql.append("NOT " + exists).value(clause.key()).append(")");
            case IS_NOT_NULL -> sql.append(exists).value(clause.key()).append(")");
            default -> {
                sql.append(exists).value(clause.key()).append(" AND ");
                stringComparison(sql, "kv.value", clause);
                sql.append(")");
            }
        }
    }

    /** Appends {@code column <op> value} for the string comparators. */
    public static void stringComparison(Sql sql, String column, Clause clause) {
        switch (clause.comparator()) {
            case ILIKE -> sql.append("LOWER(" + column + ") LIKE LOWER(").value(clause.value()).append(")");
            case IN, NOT_IN -> sql.append(column + " " + clause.comparator().text() + " ").values(clause.listValue());
            default -> sql.append(column + " " + clause.comparator().text() + " ").value(clause.value());
        }
    }

    public static void requireNumeric(Clause clause, String kind) {
        if (!clause.comparator().isNumeric()) {
            throw LaunchpadException.invalid("Invalid comparator '" + clause.comparator().text() + "' not one of"
                    + " '['=', '!=', '<', '<=', '>', '>=']' for " + kind + " '" + clause.key() + "'");
        }
        if (!clause.isNumberValue()) {
            throw LaunchpadException.invalid("Expected numeric value type for " + kind + " '" + clause.key()
                    + "'. Found " + describe(clause.value()));
        }
    }

    public static void requireString(Clause clause, String kind) {
        if (!clause.comparator().isString()) {
            throw LaunchpadException.invalid("Invalid comparator '" + clause.comparator().text() + "' not one of"
                    + " '['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN', 'IS NULL', 'IS NOT NULL']' for " + kind
                    + " '" + clause.key() + "'");
        }
        var comparator = clause.comparator();
        boolean needsString = comparator == Comparator.EQ || comparator == Comparator.NE
                || comparator == Comparator.LIKE || comparator == Comparator.ILIKE;
        if (needsString && !clause.isStringValue()) {
            throw LaunchpadException.invalid("Expected a quoted string value for " + kind + " '" + clause.key()
                    + "'. Found " + describe(clause.value()));
        }
    }

    private static String describe(Object value) {
        if (value instanceof Double d) {
            return "number " + (d == Math.rint(d) && !Double.isInfinite(d) ? String.valueOf(d.longValue()) : d);
        }
        return value == null ? "no value" : "'" + value + "'";
    }
}

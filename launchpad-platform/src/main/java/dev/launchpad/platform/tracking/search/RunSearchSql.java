package dev.launchpad.platform.tracking.search;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Sql;
import dev.launchpad.platform.tracking.MlflowTags;

import java.util.List;
import java.util.Map;

/**
 * Translates a run search (experiments, view, filter clauses, order_by terms, paging) into one
 * SQL query over {@code runs} that returns the matching run ids in order. The same SQL serves
 * SQLite and PostgreSQL.
 */
public final class RunSearchSql {
    private static final Map<String, String> STRING_ATTRIBUTES = Map.of(
            "run_id", "r.run_uuid",
            "run_name", "r.name",
            "status", "r.status",
            "user_id", "r.user_id",
            "artifact_uri", "r.artifact_uri",
            "lifecycle_stage", "r.lifecycle_stage");
    private static final Map<String, String> NUMERIC_ATTRIBUTES = Map.of(
            "start_time", "r.start_time",
            "created", "r.start_time",
            "Created", "r.start_time",
            "end_time", "r.end_time");

    private RunSearchSql() {
    }

    public static Sql build(List<Long> experimentIds, List<String> lifecycleStages, List<Clause> clauses,
                            List<OrderBy> orderBys, int offset, int limit) {
        var order = new StringBuilder();
        var sql = new Sql();
        var driving = drivingMetric(clauses, orderBys);
        int firstOrderTerm = 0;
        if (driving != null) {
            // A filter on the metric we order by implies it is present and not NaN, so the query can walk the
            // (key, value) index in order and stop after one page instead of sorting every match. CROSS JOIN
            // with the join condition in WHERE is plain SQL for both dialects, and SQLite's documented way to
            // keep the left table as the outer loop, which its planner would otherwise not always choose.
            sql.append("SELECT r.run_uuid FROM latest_metrics o0 CROSS JOIN runs r");
            order.append("o0.value").append(driving.ascending() ? " ASC, " : " DESC, ");
            firstOrderTerm = 1;
        } else {
            sql.append("SELECT r.run_uuid FROM runs r");
        }
        for (int i = firstOrderTerm; i < orderBys.size(); i++) {
            orderTerm(sql, order, orderBys.get(i), "o" + i);
        }
        sql.append(" WHERE r.experiment_id IN ").values(experimentIds)
                .append(" AND r.lifecycle_stage IN ").values(lifecycleStages);
        if (driving != null) {
            sql.append(" AND r.run_uuid = o0.run_uuid AND o0.key = ").value(driving.key()).append(" AND o0.is_nan = 0");
        }
        for (var clause : clauses) {
            sql.append(" AND ");
            if (driving != null && clause.type() == EntityType.METRIC && clause.key().equals(driving.key())) {
                FilterSql.requireNumeric(clause, "metric");
                sql.append("o0.value ").append(clause.comparator().text()).append(" ").value(clause.value());
            } else {
                condition(sql, clause);
            }
        }
        sql.append(" ORDER BY ").append(order.toString()).append("r.start_time DESC, r.run_uuid ASC");
        sql.append(" LIMIT ").value(limit).append(" OFFSET ").value(offset);
        return sql;
    }

    /** The first order_by term when it is a metric that a filter clause also constrains, else null. */
    private static OrderBy drivingMetric(List<Clause> clauses, List<OrderBy> orderBys) {
        if (orderBys.isEmpty() || orderBys.getFirst().type() != EntityType.METRIC) {
            return null;
        }
        var first = orderBys.getFirst();
        boolean filtered = clauses.stream().anyMatch(c -> c.type() == EntityType.METRIC && c.key().equals(first.key()));
        return filtered ? first : null;
    }

    private static void orderTerm(Sql sql, StringBuilder order, OrderBy term, String alias) {
        var direction = term.ascending() ? " ASC, " : " DESC, ";
        switch (term.type()) {
            case METRIC -> {
                sql.append(" LEFT JOIN latest_metrics " + alias + " ON " + alias + ".run_uuid = r.run_uuid AND "
                        + alias + ".key = ").value(term.key());
                order.append("CASE WHEN ").append(alias).append(".run_uuid IS NULL THEN 2 WHEN ").append(alias)
                        .append(".is_nan = 1 THEN 1 ELSE 0 END, ").append(alias).append(".value").append(direction);
            }
            case PARAM, TAG -> {
                var table = term.type() == EntityType.PARAM ? "params" : "tags";
                sql.append(" LEFT JOIN " + table + " " + alias + " ON " + alias + ".run_uuid = r.run_uuid AND "
                        + alias + ".key = ").value(term.key());
                order.append(alias).append(".value IS NULL, ").append(alias).append(".value").append(direction);
            }
            case ATTRIBUTE -> {
                var column = STRING_ATTRIBUTES.getOrDefault(term.key(), NUMERIC_ATTRIBUTES.get(term.key()));
                if (column == null || term.key().equals("lifecycle_stage")) {
                    throw LaunchpadException.invalid("Invalid attribute key '" + term.key() + "' specified in"
                            + " order_by. Valid keys are " + orderableAttributes());
                }
                order.append(column).append(" IS NULL, ").append(column).append(direction);
            }
            case DATASET -> throw LaunchpadException.invalid("Ordering by datasets is not supported: '"
                    + term.key() + "'");
        }
    }

    private static void condition(Sql sql, Clause clause) {
        switch (clause.type()) {
            case METRIC -> {
                FilterSql.requireNumeric(clause, "metric");
                sql.append("EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_uuid = r.run_uuid AND m.key = ")
                        .value(clause.key()).append(" AND m.is_nan = 0 AND m.value ").append(clause.comparator().text())
                        .append(" ").value(clause.value()).append(")");
            }
            case PARAM -> keyValue(sql, clause, "params", "parameter");
            case TAG -> keyValue(sql, clause, "tags", "tag");
            case ATTRIBUTE -> attribute(sql, clause);
            case DATASET -> dataset(sql, clause);
        }
    }


    private static void keyValue(Sql sql, Clause clause, String table, String kind) {
        FilterSql.keyValueCondition(sql, clause, table, "kv.run_uuid = r.run_uuid", kind);
    }

    private static void attribute(Sql sql, Clause clause) {
        var numeric = NUMERIC_ATTRIBUTES.get(clause.key());
        if (numeric != null) {
            FilterSql.requireNumeric(clause, "numeric attribute");
            sql.append(numeric).append(" ").append(clause.comparator().text()).append(" ").value(clause.value());
            return;
        }
        var column = STRING_ATTRIBUTES.get(clause.key());
        if (column == null) {
            throw LaunchpadException.invalid("Invalid attribute key '" + clause.key() + "' specified. Valid keys are "
                    + validAttributes());
        }
        if (clause.key().equals("run_name")) {
            // The run name lives both in runs.name and in the mlflow.runName tag; they are kept equal.
            column = "r.name";
        }
        FilterSql.requireString(clause, "attribute");
        if (clause.comparator() == Comparator.IS_NULL || clause.comparator() == Comparator.IS_NOT_NULL) {
            sql.append(column).append(" ").append(clause.comparator().text());
            return;
        }
        FilterSql.stringComparison(sql, column, clause);
    }

    private static void dataset(Sql sql, Clause clause) {
        FilterSql.requireString(clause, "dataset");
        var column = switch (clause.key()) {
            case "name" -> "d.name";
            case "digest" -> "d.digest";
            case "context" -> "t.value";
            default -> throw LaunchpadException.invalid("Invalid dataset key '" + clause.key()
                    + "'. Valid keys are ['name', 'digest', 'context']");
        };
        sql.append("r.run_uuid IN (SELECT i.run_uuid FROM inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid");
        if (clause.key().equals("context")) {
            sql.append(" JOIN input_tags t ON t.input_uuid = i.input_uuid AND t.name = ").value(MlflowTags.DATASET_CONTEXT);
        }
        sql.append(" WHERE ");
        if (clause.comparator() == Comparator.IS_NULL || clause.comparator() == Comparator.IS_NOT_NULL) {
            throw LaunchpadException.invalid("IS NULL is not supported on datasets.");
        }
        FilterSql.stringComparison(sql, column, clause);
        sql.append(")");
    }





    private static String validAttributes() {
        return "['run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'lifecycle_stage', 'start_time',"
                + " 'end_time', 'created']";
    }

    private static String orderableAttributes() {
        return "['run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'start_time', 'end_time', 'created']";
    }
}

package dev.launchpad.platform.tracking.search;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Sql;

import java.util.List;
import java.util.Map;

/** Translates an experiment search (view, filter on name/tags/times, order_by, paging) into SQL returning ids. */
public final class ExperimentSearchSql {
    private static final Map<String, String> NUMERIC_ATTRIBUTES = Map.of(
            "creation_time", "e.creation_time",
            "last_update_time", "e.last_update_time");
    private static final Map<String, String> ORDERABLE = Map.of(
            "name", "e.name",
            "experiment_id", "e.experiment_id",
            "creation_time", "e.creation_time",
            "last_update_time", "e.last_update_time");

    private ExperimentSearchSql() {
    }

    public static Sql build(List<String> lifecycleStages, List<Clause> clauses, List<OrderBy> orderBys,
                            int offset, int limit) {
        var sql = new Sql().append("SELECT e.experiment_id FROM experiments e WHERE e.lifecycle_stage IN ")
                .values(lifecycleStages);
        for (var clause : clauses) {
            sql.append(" AND ");
            switch (clause.type()) {
                case TAG -> FilterSql.keyValueCondition(sql, clause, "experiment_tags",
                        "kv.experiment_id = e.experiment_id", "tag");
                case ATTRIBUTE -> attribute(sql, clause);
                default -> throw LaunchpadException.invalid("Invalid entity type '" + clause.type().name()
                        .toLowerCase(java.util.Locale.ROOT) + "' for searching experiments. Valid values are"
                        + " ['attributes', 'tags']");
            }
        }
        var order = new StringBuilder();
        for (var term : orderBys) {
            var column = term.type() == EntityType.ATTRIBUTE ? ORDERABLE.get(term.key()) : null;
            if (column == null) {
                throw LaunchpadException.invalid("Invalid order_by entity '" + term.key() + "'. Experiments can be"
                        + " ordered by ['name', 'experiment_id', 'creation_time', 'last_update_time']");
            }
            order.append(column).append(term.ascending() ? " ASC, " : " DESC, ");
        }
        sql.append(" ORDER BY ").append(order.toString()).append("e.creation_time DESC, e.experiment_id ASC");
        sql.append(" LIMIT ").value(limit).append(" OFFSET ").value(offset);
        return sql;
    }

    private static void attribute(Sql sql, Clause clause) {
        var numeric = NUMERIC_ATTRIBUTES.get(clause.key());
        if (numeric != null) {
            FilterSql.requireNumeric(clause, "attribute");
            sql.append(numeric).append(" ").append(clause.comparator().text()).append(" ").value(clause.value());
        } else if (clause.key().equals("name")) {
            FilterSql.requireString(clause, "attribute");
            if (clause.comparator() == Comparator.IS_NULL || clause.comparator() == Comparator.IS_NOT_NULL) {
                sql.append("e.name ").append(clause.comparator().text());
            } else {
                FilterSql.stringComparison(sql, "e.name", clause);
            }
        } else {
            throw LaunchpadException.invalid("Invalid attribute key '" + clause.key() + "' specified. Valid keys are"
                    + " ['name', 'creation_time', 'last_update_time']");
        }
    }
}

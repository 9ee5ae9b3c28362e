package dev.launchpad.platform.monitor;

import dev.launchpad.platform.store.Database;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletes a monitoring table's rows older than a time, deployment by deployment through the index that leads with
 * the deployment and ends with the time, and a batch of rows per transaction. So pruning reads only what it deletes
 * (a table of predictions holds a month of them; each batch reads its own rows' index entries, not those of the batches
 * after it), and a writer — on SQLite every writer, the window flusher among them — waits for one batch at most, not
 * for the whole prune.
 *
 * @param table      the table
 * @param groups     the columns before the time in that index: {@code deployment}, and for results its check
 * @param condition  a fixed condition on the rows, also in the index's leading columns (or {@code ""})
 * @param time       the time column, epoch milliseconds
 * @param batch      rows deleted per transaction (ties on the last row's time go with it)
 */
record AgedRows(String table, List<String> groups, String condition, String time, int batch) {
    AgedRows {
        if (groups.isEmpty() || batch < 1) {
            throw new IllegalArgumentException("a group column and a positive batch are needed");
        }
    }

    /** Deletes the rows whose time is before {@code before}; returns how many. */
    int deleteBefore(Database database, long before) {
        String bound = batchBoundStatement();
        String delete = deleteStatement();
        int deleted = 0;
        for (var group : groups(database)) {
            // each batch starts after the last one's time: on PostgreSQL the deleted rows' index entries stay until
            // a vacuum, and a search from the start would walk every batch's before it
            long[] after = {Long.MIN_VALUE};
            int n;
            do {
                n = database.write(h -> {
                    var query = h.createQuery(bound).bind("after", after[0]).bind("t", before);
                    group.forEach(query::bind);
                    // the batch's last time; none when fewer rows are left, and then all of them go
                    long last = query.mapTo(Long.class).findOne().orElse(before - 1);
                    var update = h.createUpdate(delete).bind("after", after[0]).bind("last", last);
                    group.forEach(update::bind);
                    after[0] = last;
                    return update.execute();
                });
                deleted += n;
            } while (n >= batch);
        }
        return deleted;
    }

    /** The time of a group's {@link #batch}-th oldest row after {@code :after} and before {@code :t}, read in the index. */
    String batchBoundStatement() {
        return "SELECT " + time + " FROM " + table + " WHERE " + where() + time + " > :after AND " + time + " < :t"
                + " ORDER BY " + time + " LIMIT 1 OFFSET " + (batch - 1);
    }

    /**
     * A group's rows after {@code :after} up to {@code :last}, inclusive (times are whole milliseconds, so
     * {@code before - 1} is all those before it): one upper bound, at which the index's range ends, not a second one
     * that SQLite would check row by row.
     */
    String deleteStatement() {
        return "DELETE FROM " + table + " WHERE " + where() + time + " > :after AND " + time + " <= :last";
    }

    /** The group columns' equalities and the fixed condition, each followed by {@code AND}. */
    private String where() {
        return equalities(groups.size()) + (condition.isEmpty() ? "" : condition + " AND ");
    }

    /** The smallest value of the {@code level}-th group column after {@code :after}, the columns before it bound. */
    String nextValueStatement(int level) {
        String column = groups.get(level);
        return "SELECT MIN(" + column + ") FROM " + table + " WHERE " + equalities(level) + column + " > :after";
    }

    /** {@code c = :c AND } for the first {@code n} group columns. */
    private String equalities(int n) {
        var where = new StringBuilder();
        for (String c : groups.subList(0, n)) {
            where.append(c).append(" = :").append(c).append(" AND ");
        }
        return where.toString();
    }

    /**
     * Every combination of the group columns' values in the table, each found by one seek in the index (a loose
     * index scan): the smallest value after the one before.
     */
    private List<Map<String, String>> groups(Database database) {
        List<Map<String, String>> found = List.of(Map.of());
        for (int level = 0; level < groups.size(); level++) {
            String next = nextValueStatement(level);
            var deeper = new ArrayList<Map<String, String>>();
            for (var prefix : found) {
                String after = "";
                while (true) {
                    String from = after;
                    String value = database.read(h -> {
                        var query = h.createQuery(next).bind("after", from);
                        prefix.forEach(query::bind);
                        return query.mapTo(String.class).findOne().orElse(null);
                    });
                    if (value == null) {
                        break;
                    }
                    var group = new LinkedHashMap<>(prefix);
                    group.put(groups.get(level), value);
                    deeper.add(group);
                    after = value;
                }
            }
            found = deeper;
        }
        return found;
    }
}

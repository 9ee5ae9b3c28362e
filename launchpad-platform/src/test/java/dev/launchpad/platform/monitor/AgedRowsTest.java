package dev.launchpad.platform.monitor;

import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Pruning by age: every deployment's old rows, a batch a transaction, read through the deployment's index. */
class AgedRowsTest {
    private static final long T0 = 1_700_000_000_000L;

    private static void predictions(Database db, String deployment, int n, long from, long step) {
        db.writeVoid(h -> {
            var batch = h.prepareBatch("INSERT INTO monitor_predictions (deployment, request_id, row_index, model_version,"
                    + " predicted_at) VALUES (:d, :r, 0, 1, :t)");
            for (int i = 0; i < n; i++) {
                batch.bind("d", deployment).bind("r", "r" + i).bind("t", from + i * step).add();
            }
            batch.execute();
        });
    }

    private static List<Long> times(Database db, String deployment) {
        return db.read(h -> h.createQuery("SELECT predicted_at FROM monitor_predictions WHERE deployment = :d"
                + " ORDER BY predicted_at").bind("d", deployment).mapTo(Long.class).list());
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Backend.class)
    void deletesEveryDeploymentsOldRowsInBatchesAndKeepsTheRest(TestDatabases.Backend backend) {
        try (var db = Database.open(backend.newDatabaseUrl())) {
            predictions(db, "churn", 25, T0, 1_000);
            predictions(db, "fraud", 10, T0, 0); // ten rows at one time: a batch takes its ties with it
            predictions(db, "fraud-eu", 7, T0 + 100_000, 1_000); // all newer than the cut
            predictions(db, "a", 3, T0, 1);
            var aged = new AgedRows("monitor_predictions", List.of("deployment"), "", "predicted_at", 4);

            assertThat(aged.deleteBefore(db, T0 + 12_000)).isEqualTo(12 + 10 + 3);
            assertThat(times(db, "churn")).hasSize(13).allMatch(t -> t >= T0 + 12_000);
            assertThat(times(db, "fraud")).isEmpty();
            assertThat(times(db, "fraud-eu")).hasSize(7);
            assertThat(times(db, "a")).isEmpty();
            assertThat(aged.deleteBefore(db, T0 + 12_000)).isZero();
            assertThat(aged.deleteBefore(db, T0 + 24_000)).isEqualTo(12); // exactly three batches: the fourth finds none
            assertThat(times(db, "churn")).containsExactly(T0 + 24_000);
        }
    }

    @Test
    void resultsArePrunedCheckByCheck() {
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            db.writeVoid(h -> {
                for (var check : List.of("latency", "feature_drift", "error_rate")) {
                    for (var deployment : List.of("fraud", "churn")) {
                        for (int i = 0; i < 5; i++) {
                            h.createUpdate("INSERT INTO monitor_results (deployment, check_name, window_from, window_to,"
                                    + " status, details, checked_at) VALUES (:d, :c, :f, :t, 'ok', '{}', :t)")
                                    .bind("d", deployment).bind("c", check).bind("f", T0 + i * 60_000L - 60_000)
                                    .bind("t", T0 + i * 60_000L).execute();
                        }
                    }
                }
            });
            var aged = new AgedRows("monitor_results", List.of("deployment", "check_name"), "", "window_to", 2);
            assertThat(aged.deleteBefore(db, T0 + 180_000)).isEqualTo(3 * 2 * 3);
            int newer = db.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_results WHERE window_to >= :t")
                    .bind("t", T0 + 180_000).mapTo(Integer.class).one());
            int all = db.read(h -> h.createQuery("SELECT COUNT(*) FROM monitor_results").mapTo(Integer.class).one());
            assertThat(newer).isEqualTo(3 * 2 * 2);
            assertThat(all).isEqualTo(newer);
        }
    }

    /** What SQLite plans for the prune's statements: seeks in an index, never a scan of a table or a whole index. */
    @Test
    void noStatementOfThePruneScans() {
        try (var db = Database.open(TestDatabases.newSqliteUrl())) {
            for (var aged : MonitorService.prunedByDeployment()) {
                var statements = new ArrayList<String>();
                statements.add(aged.batchBoundStatement());
                statements.add(aged.deleteStatement());
                // one bound on the time: SQLite ends the index's range at one and checks a second row by row, which
                // made each batch read every older entry of the deployment, the later batches' too
                assertThat(aged.deleteStatement().split(aged.time() + " <", -1)).hasSize(2);
                assertThat(aged.batchBoundStatement().split(aged.time() + " <", -1)).hasSize(2);
                for (int level = 0; level < aged.groups().size(); level++) {
                    statements.add(aged.nextValueStatement(level));
                }
                for (var statement : statements) {
                    var plan = db.read(h -> {
                        var query = h.createQuery("EXPLAIN QUERY PLAN " + statement);
                        for (var column : aged.groups()) {
                            if (statement.contains(":" + column)) {
                                query.bind(column, "fraud");
                            }
                        }
                        if (statement.contains(":t ")) {
                            query.bind("t", T0);
                        }
                        if (statement.contains(":last")) {
                            query.bind("last", T0);
                        }
                        if (statement.contains(":after")) { // a time, or the group value before
                            query.bind("after", statement.contains("MIN(") ? (Object) "" : (Object) (T0 - 60_000));
                        }
                        return query.map((rs, ctx) -> rs.getString("detail")).list();
                    });
                    if (!statement.contains("MIN(")) { // the batch's rows: a range of the index between two times
                        assertThat(plan).as(statement)
                                .anyMatch(line -> line.contains(aged.time() + ">? AND " + aged.time() + "<?"));
                    }
                    assertThat(plan).as(statement).isNotEmpty()
                            .filteredOn(line -> line.contains(aged.table()))
                            .isNotEmpty()
                            .allMatch(line -> line.startsWith("SEARCH ") && line.contains(" INDEX "), "an index search");
                }
            }
        }
    }
}

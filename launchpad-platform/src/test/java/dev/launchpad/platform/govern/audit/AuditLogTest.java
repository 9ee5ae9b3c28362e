package dev.launchpad.platform.govern.audit;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.TestDatabases.Backend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The audit log's chain, verification and queries, on SQLite and PostgreSQL, with rows tampered with directly in SQL. */
class AuditLogTest {

    /** A clock that moves only when told to. */
    static final class TestClock extends Clock {
        final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    private static AuditEvent event(String actor, String action, String resource) {
        return new AuditEvent(actor, action, resource, "127.0.0.1", 200, "{\"body\":{\"name\":\"x\"}}", null,
                "{\"name\":\"x\"}");
    }

    /** Appends five rows, one millisecond apart: alice, bob, alice, bob, alice. */
    private static AuditLog fiveRows(Database db, TestClock clock) {
        var log = new AuditLog(db, clock);
        for (int i = 1; i <= 5; i++) {
            log.append(event(i % 2 == 1 ? "alice" : "bob", "POST /api/v1/models", "/api/v1/models/m" + i));
            clock.millis.incrementAndGet();
        }
        return log;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void emptyLogVerifies(Backend backend) {
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var result = new AuditLog(db, new TestClock()).verify();
            assertThat(result).isEqualTo(new AuditVerification.Intact(0, 0, AuditRecord.GENESIS_HASH));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void appendedRowsFormAChainThatVerifies(Backend backend) {
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var clock = new TestClock();
            var log = fiveRows(db, clock);
            var rows = log.query(AuditFilter.ALL, null, null).items();
            assertThat(rows).extracting(AuditRecord::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(rows.getFirst().prevHash()).isEqualTo(AuditRecord.GENESIS_HASH);
            for (int i = 1; i < rows.size(); i++) {
                assertThat(rows.get(i).prevHash()).isEqualTo(rows.get(i - 1).hash());
            }
            assertThat(rows.getFirst().time()).isEqualTo(1_700_000_000_000L);
            assertThat(rows.getFirst().outcome()).isEqualTo(200);
            assertThat(rows.getFirst().before()).isNull();
            assertThat(log.verify()).isEqualTo(new AuditVerification.Intact(5, 5, rows.getLast().hash()));
            assertThat(log.verify(5, rows.getLast().hash()).ok()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void editedContentIsNamed(Backend backend) {
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var log = fiveRows(db, new TestClock());
            db.jdbi().useHandle(h -> h.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"));
            var result = log.verify();
            assertThat(result).isInstanceOfSatisfying(AuditVerification.Broken.class, broken -> {
                assertThat(broken.seq()).isEqualTo(3);
                assertThat(broken.problem()).isEqualTo(AuditVerification.Problem.CONTENT_EDITED);
                assertThat(broken.rowsVerified()).isEqualTo(2);
                assertThat(broken.message()).contains("Row 3 was edited");
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void editedContentWithRecomputedHashBreaksTheNextLink(Backend backend) {
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var log = fiveRows(db, new TestClock());
            var row2 = log.query(AuditFilter.ALL, 5, null).items().get(1);
            var forged = new AuditRecord(2, row2.time(), "mallory", row2.action(), row2.resource(), row2.source(),
                    row2.outcome(), row2.request(), row2.before(), row2.after(), row2.prevHash(), null).sealed();
            db.jdbi().useHandle(h -> h.createUpdate("UPDATE audit_log SET actor = 'mallory', hash = :hash WHERE seq = 2")
                    .bind("hash", forged.hash()).execute());
            var result = (AuditVerification.Broken) log.verify();
            assertThat(result.seq()).isEqualTo(3);
            assertThat(result.problem()).isEqualTo(AuditVerification.Problem.CHAIN_BROKEN);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void deletedRowsAreNamed(Backend backend) {
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var log = fiveRows(db, new TestClock());
            db.jdbi().useHandle(h -> h.execute("DELETE FROM audit_log WHERE seq = 3"));
            var middle = (AuditVerification.Broken) log.verify();
            assertThat(middle.seq()).isEqualTo(3);
            assertThat(middle.problem()).isEqualTo(AuditVerification.Problem.ROW_DELETED);
            assertThat(middle.message()).contains("Row 3 is missing");

            db.jdbi().useHandle(h -> h.execute("DELETE FROM audit_log WHERE seq = 1"));
            var first = (AuditVerification.Broken) log.verify();
            assertThat(first.seq()).isEqualTo(1);
            assertThat(first.problem()).isEqualTo(AuditVerification.Problem.ROW_DELETED);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void editedLastRowAndTruncatedTailAreDetected(Backend backend) {
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var log = fiveRows(db, new TestClock());
            var head = (AuditVerification.Intact) log.verify();
            db.jdbi().useHandle(h -> h.execute("UPDATE audit_log SET outcome = 500 WHERE seq = 5"));
            var edited = (AuditVerification.Broken) log.verify();
            assertThat(edited.seq()).isEqualTo(5);
            assertThat(edited.problem()).isEqualTo(AuditVerification.Problem.CONTENT_EDITED);

            // Cutting rows off the end leaves a valid shorter chain; only a head recorded earlier shows it.
            db.jdbi().useHandle(h -> h.execute("DELETE FROM audit_log WHERE seq >= 4"));
            assertThat(log.verify().ok()).isTrue();
            var truncated = (AuditVerification.Broken) log.verify(head.headSeq(), head.headHash());
            assertThat(truncated.seq()).isEqualTo(4);
            assertThat(truncated.problem()).isEqualTo(AuditVerification.Problem.ROW_DELETED);
            assertThat(truncated.message()).contains("cut off the end");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void queryFiltersAndPages(Backend backend) {
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var log = fiveRows(db, new TestClock());
            assertThat(log.query(new AuditFilter("alice", null, null, null, null), null, null).items())
                    .extracting(AuditRecord::seq).containsExactly(1L, 3L, 5L);
            assertThat(log.query(new AuditFilter(null, "POST /api/v1/models", "/api/v1/models/m2", null, null),
                    null, null).items()).extracting(AuditRecord::seq).containsExactly(2L);
            assertThat(log.query(new AuditFilter(null, "DELETE x", null, null, null), null, null).items()).isEmpty();
            // Prefix match is literal: '%' and '_' are not wildcards.
            assertThat(log.query(new AuditFilter(null, null, "/api/v1/models/m_", null, null), null, null).items())
                    .isEmpty();
            long t0 = 1_700_000_000_000L;
            assertThat(log.query(new AuditFilter(null, null, null, t0 + 1, t0 + 3), null, null).items())
                    .extracting(AuditRecord::seq).containsExactly(2L, 3L);

            var first = log.query(AuditFilter.ALL, 2, null);
            assertThat(first.items()).extracting(AuditRecord::seq).containsExactly(1L, 2L);
            var second = log.query(AuditFilter.ALL, 2, first.nextPageToken());
            assertThat(second.items()).extracting(AuditRecord::seq).containsExactly(3L, 4L);
            var last = log.query(AuditFilter.ALL, 2, second.nextPageToken());
            assertThat(last.items()).extracting(AuditRecord::seq).containsExactly(5L);
            assertThat(last.nextPageToken()).isNull();

            assertThatThrownBy(() -> log.query(AuditFilter.ALL, 0, null)).isInstanceOf(LaunchpadException.class);
            assertThatThrownBy(() -> log.query(AuditFilter.ALL, 1001, null)).isInstanceOf(LaunchpadException.class);
            assertThatThrownBy(() -> log.query(AuditFilter.ALL, null, "bogus!")).isInstanceOf(LaunchpadException.class);
            assertThatThrownBy(() -> new AuditFilter(null, null, null, 5L, 4L)).isInstanceOf(LaunchpadException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void exportWritesOneJsonObjectPerRow(Backend backend) throws Exception {
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var log = fiveRows(db, new TestClock());
            var out = new ByteArrayOutputStream();
            assertThat(log.exportJsonLines(out, new AuditFilter("bob", null, null, null, null))).isEqualTo(2);
            var lines = out.toString(StandardCharsets.UTF_8).split("\n");
            assertThat(lines).hasSize(2);
            var row = dev.launchpad.core.json.Json.mapper().readTree(lines[0]);
            assertThat(row.path("seq").asLong()).isEqualTo(2);
            assertThat(row.path("actor").asText()).isEqualTo("bob");
            assertThat(row.path("request").path("body").path("name").asText()).isEqualTo("x");
            assertThat(row.path("after").path("name").asText()).isEqualTo("x");
            assertThat(row.path("before").isNull()).isTrue();
            assertThat(row.path("hash").asText()).hasSize(64);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void concurrentAppendsNeverFork(Backend backend) throws Exception {
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var log = new AuditLog(db, new TestClock());
            try (var pool = Executors.newFixedThreadPool(8)) {
                var futures = new ArrayList<Future<AuditRecord>>();
                for (int i = 0; i < 200; i++) {
                    int n = i;
                    futures.add(pool.submit(() -> log.append(event("user" + (n % 4), "POST /x", "/x/" + n))));
                }
                for (var future : futures) {
                    future.get();
                }
            }
            assertThat(log.verify()).isInstanceOfSatisfying(AuditVerification.Intact.class,
                    intact -> assertThat(intact.rows()).isEqualTo(200));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void invalidEventsAreRejected(Backend backend) {
        assertThatThrownBy(() -> AuditEvent.of("", "POST /x", "/x", null, 200)).isInstanceOf(LaunchpadException.class);
        assertThatThrownBy(() -> AuditEvent.of("a", "POST /x", "/x\0", null, 200)).isInstanceOf(LaunchpadException.class);
        assertThatThrownBy(() -> AuditEvent.of("a", "x".repeat(600), "/x", null, 200))
                .isInstanceOf(LaunchpadException.class);
        try (var db = Database.open(backend.newDatabaseUrl())) {
            var log = new AuditLog(db, new TestClock());
            var row = log.append(AuditEvent.of("a", "delete-model", "models/fraud", null, null));
            assertThat(row.outcome()).isNull();
            assertThat(log.query(AuditFilter.ALL, null, null).items()).containsExactly(row);
            assertThat(log.verify().ok()).isTrue();
        }
    }
}

package dev.launchpad.platform.govern.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.store.Dialect;
import dev.launchpad.platform.store.Sql;
import dev.launchpad.platform.tracking.Page;
import org.jdbi.v3.core.Handle;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The tamper-evident audit log: events are appended as rows of one hash chain (each row stores the
 * previous row's hash and SHA-256 over that and its own content, see {@link AuditRecord#computeHash()}),
 * so that {@link #verify()} finds the first row that was edited, deleted or relinked. Appends are
 * serialised so the chain never forks: by {@link Database#write}'s lock on SQLite and by an exclusive
 * table lock on PostgreSQL, which also holds across several servers sharing one database. The
 * primary key on the sequence number backs both up.
 *
 * <p>The chain proves the rows were not changed one by one; someone able to rewrite the whole table
 * can recompute every hash. Keep the head reported by {@link #verify()} somewhere else and check it
 * with {@link #verify(long, String)} to detect that, and to detect rows cut off at the end.
 */
public final class AuditLog {
    /** Rows listed when no max_results is given. */
    public static final int DEFAULT_PAGE = 100;
    /** The most rows one page lists. */
    public static final int MAX_PAGE = 1000;
    private static final int BATCH = 1000;
    private static final Pattern TOKEN = Pattern.compile("^\\{\"after_seq\":(\\d{1,18})}$");
    private static final String COLUMNS = "seq, event_time, actor, action, resource, source, outcome, request,"
            + " before_state, after_state, prev_hash, hash";

    private final Database db;
    private final Clock clock;

    public AuditLog(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Appends an event stamped with the clock's time, as the next row of the chain, and returns the row. */
    public AuditRecord append(AuditEvent event) {
        long now = clock.millis();
        return db.write(h -> {
            if (db.dialect() == Dialect.POSTGRESQL) {
                // Readers go on; other appenders (in this or another process) wait for this transaction.
                h.execute("LOCK TABLE audit_log IN EXCLUSIVE MODE");
            }
            var head = h.createQuery("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                    .map((rs, ctx) -> new Head(rs.getLong("seq"), rs.getString("hash")))
                    .findOne();
            long seq = head.map(x -> x.seq() + 1).orElse(1L);
            var prevHash = head.map(Head::hash).orElse(AuditRecord.GENESIS_HASH);
            var record = new AuditRecord(seq, now, event.actor(), event.action(), event.resource(), event.source(),
                    event.outcome(), event.request(), event.before(), event.after(), prevHash, null).sealed();
            h.createUpdate("INSERT INTO audit_log (" + COLUMNS + ") VALUES (:seq, :time, :actor, :action,"
                            + " :resource, :source, :outcome, :request, :before, :after, :prevHash, :hash)")
                    .bind("seq", record.seq()).bind("time", record.time()).bind("actor", record.actor())
                    .bind("action", record.action()).bind("resource", record.resource())
                    .bind("source", record.source()).bind("outcome", record.outcome())
                    .bind("request", record.request()).bind("before", record.before())
                    .bind("after", record.after()).bind("prevHash", record.prevHash()).bind("hash", record.hash())
                    .execute();
            return record;
        });
    }

    /** Walks the whole chain from row 1 and reports the first broken row, or that all rows are intact. */
    public AuditVerification verify() {
        return verify(0, null);
    }

    /**
     * Like {@link #verify()}, and also checks that row {@code expectedSeq} still exists with hash
     * {@code expectedHash} (a head recorded earlier; {@code expectedSeq} 0 checks nothing more).
     */
    public AuditVerification verify(long expectedSeq, String expectedHash) {
        if (expectedSeq < 0 || (expectedSeq > 0 && (expectedHash == null || expectedHash.isBlank()))) {
            throw LaunchpadException.invalid("An expected head needs a sequence number >= 1 and a hash.");
        }
        long expected = 1;
        var prevHash = AuditRecord.GENESIS_HASH;
        long verified = 0;
        while (true) {
            long after = expected - 1;
            var batch = db.read(h -> h.createQuery("SELECT " + COLUMNS + " FROM audit_log WHERE seq > :after"
                            + " ORDER BY seq LIMIT :limit")
                    .bind("after", after).bind("limit", BATCH)
                    .map((rs, ctx) -> record(rs)).list());
            for (var row : batch) {
                if (row.seq() != expected) {
                    var missing = row.seq() - 1 == expected ? "Row " + expected + " is missing"
                            : "Rows " + expected + " to " + (row.seq() - 1) + " are missing";
                    return new AuditVerification.Broken(expected, AuditVerification.Problem.ROW_DELETED,
                            missing + " (the next row present is " + row.seq() + ").", verified);
                }
                if (!prevHash.equals(row.prevHash())) {
                    return new AuditVerification.Broken(row.seq(), AuditVerification.Problem.CHAIN_BROKEN,
                            "Row " + row.seq() + " does not link to " + (row.seq() == 1 ? "the genesis hash"
                                    : "row " + (row.seq() - 1)) + ": its prev_hash " + row.prevHash()
                                    + " is not " + prevHash + " (this row's link, or the row before it and its"
                                    + " hash, were rewritten).", verified);
                }
                var actual = row.computeHash();
                if (!actual.equals(row.hash())) {
                    return new AuditVerification.Broken(row.seq(), AuditVerification.Problem.CONTENT_EDITED,
                            "Row " + row.seq() + " was edited: its content hashes to " + actual
                                    + ", the row records " + row.hash() + ".", verified);
                }
                if (row.seq() == expectedSeq && !row.hash().equals(expectedHash)) {
                    return new AuditVerification.Broken(row.seq(), AuditVerification.Problem.HEAD_MISMATCH,
                            "Row " + row.seq() + " has hash " + row.hash() + ", not the expected " + expectedHash
                                    + ": the log was rewritten from this row back.", verified);
                }
                prevHash = row.hash();
                expected++;
                verified++;
            }
            if (batch.size() < BATCH) {
                break;
            }
        }
        if (expectedSeq >= expected) {
            return new AuditVerification.Broken(expected, AuditVerification.Problem.ROW_DELETED,
                    "The log ends at row " + (expected - 1) + " but row " + expectedSeq
                            + " was recorded as its head: rows were cut off the end.", verified);
        }
        return new AuditVerification.Intact(verified, expected - 1, prevHash);
    }

    /** One page of the rows matching {@code filter}, in chain order (oldest first). */
    public Page<AuditRecord> query(AuditFilter filter, Integer maxResults, String pageToken) {
        int limit = maxResults == null ? DEFAULT_PAGE : maxResults;
        if (limit < 1 || limit > MAX_PAGE) {
            throw LaunchpadException.invalid("Invalid value " + limit + " for parameter 'max_results' supplied:"
                    + " it must be between 1 and " + MAX_PAGE + ".");
        }
        long after = decodeToken(pageToken);
        var rows = db.read(h -> select(h, filter, after, limit + 1));
        if (rows.size() > limit) {
            var page = rows.subList(0, limit);
            return new Page<>(List.copyOf(page), encodeToken(page.getLast().seq()));
        }
        return new Page<>(rows, null);
    }

    /** Writes every row matching {@code filter}, oldest first, as one JSON object per line ({@link AuditRecord#toJson()}). */
    public long exportJsonLines(OutputStream out, AuditFilter filter) {
        long after = 0;
        long written = 0;
        try {
            while (true) {
                long from = after;
                var rows = db.read(h -> select(h, filter, from, BATCH));
                for (var row : rows) {
                    out.write(Json.mapper().writeValueAsBytes(row.toJson()));
                    out.write('\n');
                    written++;
                }
                if (rows.size() < BATCH) {
                    break;
                }
                after = rows.getLast().seq();
            }
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the audit export", e);
        }
        return written;
    }

    private static List<AuditRecord> select(Handle h, AuditFilter filter, long afterSeq, int limit) {
        var sql = new Sql().append("SELECT " + COLUMNS + " FROM audit_log WHERE seq > ").value(afterSeq);
        if (filter.actor() != null) {
            sql.append(" AND actor = ").value(filter.actor());
        }
        if (filter.action() != null) {
            sql.append(" AND action = ").value(filter.action());
        }
        if (filter.resourcePrefix() != null) {
            sql.append(" AND SUBSTR(resource, 1, ").value(filter.resourcePrefix().length()).append(") = ")
                    .value(filter.resourcePrefix());
        }
        if (filter.from() != null) {
            sql.append(" AND event_time >= ").value(filter.from());
        }
        if (filter.to() != null) {
            sql.append(" AND event_time < ").value(filter.to());
        }
        sql.append(" ORDER BY seq LIMIT ").value(limit);
        return sql.bindTo(h.createQuery(sql.text())).map((rs, ctx) -> record(rs)).list();
    }

    private static AuditRecord record(ResultSet rs) throws SQLException {
        int status = rs.getInt("outcome");
        Integer outcome = rs.wasNull() ? null : status;
        return new AuditRecord(rs.getLong("seq"), rs.getLong("event_time"), rs.getString("actor"),
                rs.getString("action"), rs.getString("resource"), rs.getString("source"),
                outcome, rs.getString("request"), rs.getString("before_state"),
                rs.getString("after_state"), rs.getString("prev_hash"), rs.getString("hash"));
    }

    private static String encodeToken(long afterSeq) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("{\"after_seq\":" + afterSeq + "}").getBytes(StandardCharsets.UTF_8));
    }

    private static long decodeToken(String token) {
        if (token == null || token.isEmpty()) {
            return 0;
        }
        try {
            var matcher = TOKEN.matcher(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
            if (matcher.matches()) {
                return Long.parseLong(matcher.group(1));
            }
        } catch (IllegalArgumentException e) {
            // fall through to the error below
        }
        throw LaunchpadException.invalid("Invalid page token: '" + (token.length() > 100 ? token.substring(0, 100)
                + "..." : token) + "'");
    }

    private record Head(long seq, String hash) {
    }
}

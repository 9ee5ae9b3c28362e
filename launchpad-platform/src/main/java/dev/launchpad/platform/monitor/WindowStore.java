package dev.launchpad.platform.monitor;

import dev.launchpad.platform.store.Database;
import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Stored prediction windows. A flush merges a window's new part into its minute row and into the hour
 * and day rows holding it, and stores the part's logged predictions, all in one transaction: a part is
 * either counted everywhere or nowhere, so a flush retried after a failed transaction neither loses nor
 * double-counts it. (One whose commit succeeded but whose acknowledgement was lost is retried and counted twice:
 * parts carry no id to detect that.)
 */
public final class WindowStore {
    private final Database database;

    public WindowStore(Database database) {
        this.database = database;
    }

    /** One logged prediction row, kept to join late feedback. */
    public record PredictionRow(String requestId, int row, int version, long timestamp, String prediction, Double score,
                                Integer classes) {
        /** A row without class probabilities' count (a label or a value, or a score whose meaning is known). */
        public PredictionRow(String requestId, int row, int version, long timestamp, String prediction, Double score) {
            this(requestId, row, version, timestamp, prediction, score, null);
        }
    }

    /** A stored window. */
    public record StoredWindow(String deployment, int version, Granularity granularity, long start, WindowData data) {
    }

    /** Merges {@code part} (minute {@code minuteStart} of {@code deployment} at {@code version}) everywhere it belongs. */
    public void flush(String deployment, int version, long minuteStart, WindowData part, List<PredictionRow> predictions,
                      long now) {
        database.writeVoid(h -> {
            for (var g : Granularity.values()) {
                merge(h, deployment, version, g, g.floor(minuteStart), part, now);
            }
            if (!predictions.isEmpty()) {
                insertPredictions(h, deployment, predictions);
            }
        });
    }

    /** Many rows a minute per deployment: plain JDBC batches (the binding layer costs more than SQLite does). */
    private static void insertPredictions(Handle h, String deployment, List<PredictionRow> predictions) {
        try (var insert = h.getConnection().prepareStatement("INSERT INTO monitor_predictions (deployment, request_id,"
                + " row_index, model_version, predicted_at, prediction, score, classes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (deployment, request_id, row_index) DO NOTHING")) {
            int inBatch = 0;
            for (var p : predictions) {
                insert.setString(1, deployment);
                insert.setString(2, p.requestId());
                insert.setInt(3, p.row());
                insert.setInt(4, p.version());
                insert.setLong(5, p.timestamp());
                insert.setString(6, p.prediction());
                if (p.score() == null) {
                    insert.setNull(7, java.sql.Types.DOUBLE);
                } else {
                    insert.setDouble(7, p.score());
                }
                if (p.classes() == null) {
                    insert.setNull(8, java.sql.Types.INTEGER);
                } else {
                    insert.setInt(8, p.classes());
                }
                insert.addBatch();
                if (++inBatch == 10_000) {
                    insert.executeBatch();
                    inBatch = 0;
                }
            }
            if (inBatch > 0) {
                insert.executeBatch();
            }
        } catch (java.sql.SQLException e) {
            throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException(e, null);
        }
    }

    private void merge(Handle h, String deployment, int version, Granularity g, long start, WindowData part, long now) {
        var lock = database.dialect().rowLock();
        var existing = h.createQuery("SELECT * FROM monitor_windows WHERE deployment = :d AND granularity = :g"
                        + " AND window_start = :s AND model_version = :v" + lock)
                .bind("d", deployment).bind("g", g.id()).bind("s", start).bind("v", version)
                .map((rs, ctx) -> read(rs)).findOne();
        var merged = existing.map(w -> w.data().merge(part)).orElse(part);
        var sql = existing.isPresent()
                ? "UPDATE monitor_windows SET requests = :requests, row_count = :rows, client_errors = :ce, server_errors = :se,"
                  + " overloaded = :ov, input_profile = :ip, output_profile = :op, latency = :lat, sample = :smp, updated_at = :now"
                  + " WHERE deployment = :d AND granularity = :g AND window_start = :s AND model_version = :v"
                : "INSERT INTO monitor_windows (deployment, model_version, granularity, window_start, requests, row_count,"
                  + " client_errors, server_errors, overloaded, input_profile, output_profile, latency, sample, updated_at)"
                  + " VALUES (:d, :v, :g, :s, :requests, :rows, :ce, :se, :ov, :ip, :op, :lat, :smp, :now)";
        h.createUpdate(sql).bind("d", deployment).bind("g", g.id()).bind("s", start).bind("v", version)
                .bind("requests", merged.requests()).bind("rows", merged.rows()).bind("ce", merged.clientErrors())
                .bind("se", merged.serverErrors()).bind("ov", merged.overloaded())
                .bind("ip", merged.inputs().toBytes()).bind("op", merged.outputs().toBytes())
                .bind("lat", merged.latencyBytes()).bind("smp", merged.sampleBytes()).bind("now", now).execute();
    }

    private static StoredWindow read(java.sql.ResultSet rs) throws java.sql.SQLException {
        long start = rs.getLong("window_start");
        var data = WindowData.read(rs.getLong("requests"), rs.getLong("row_count"), rs.getLong("client_errors"),
                rs.getLong("server_errors"), rs.getLong("overloaded"), rs.getBytes("input_profile"),
                rs.getBytes("output_profile"), rs.getBytes("latency"), rs.getBytes("sample"), start);
        return new StoredWindow(rs.getString("deployment"), rs.getInt("model_version"),
                Granularity.of(rs.getString("granularity")), start, data);
    }

    /** One stored window, if any. */
    public Optional<StoredWindow> get(String deployment, int version, Granularity g, long start) {
        return database.read(h -> h.createQuery("SELECT * FROM monitor_windows WHERE deployment = :d AND granularity = :g"
                        + " AND window_start = :s AND model_version = :v")
                .bind("d", deployment).bind("g", g.id()).bind("s", start).bind("v", version)
                .map((rs, ctx) -> read(rs)).findOne());
    }

    /** Windows of one granularity starting in [from, to), oldest first (every version). */
    public List<StoredWindow> list(String deployment, Granularity g, long from, long to) {
        var out = new ArrayList<StoredWindow>();
        forEach(deployment, null, g, from, to, out::add);
        return out;
    }

    /**
     * Hands each window of one granularity starting in [from, to) (at {@code version}, or every version when null) to
     * {@code sink} as it is read, oldest first: a long span's windows are never all held at once.
     */
    private void forEach(String deployment, Integer version, Granularity g, long from, long to,
                         Consumer<StoredWindow> sink) {
        database.readStreaming(h -> {
            var query = h.createQuery("SELECT * FROM monitor_windows WHERE deployment = :d AND granularity = :g"
                            + " AND window_start >= :f AND window_start < :t"
                            + (version != null ? " AND model_version = :v" : "")
                            + " ORDER BY window_start, model_version")
                    .bind("d", deployment).bind("g", g.id()).bind("f", from).bind("t", to).setFetchSize(16);
            if (version != null) {
                query.bind("v", version);
            }
            query.map((rs, ctx) -> read(rs)).forEach(sink);
            return null;
        });
    }

    /** Row counts only, per window of one granularity in [from, to) (cheap: no profiles are read). */
    public record WindowCounts(int version, long start, long requests, long rows, long clientErrors, long serverErrors,
                               long overloaded) {
    }

    /** The stored windows of granularity {@code g} that overlap [from, to), oldest first. */
    public List<WindowCounts> counts(String deployment, Granularity g, long from, long to) {
        long first = g.floor(from);
        long end = g.ceil(to);
        return database.read(h -> h.createQuery("SELECT model_version, window_start, requests, row_count, client_errors,"
                        + " server_errors, overloaded FROM monitor_windows WHERE deployment = :d AND granularity = :g"
                        + " AND window_start >= :f AND window_start < :t ORDER BY window_start, model_version")
                .bind("d", deployment).bind("g", g.id()).bind("f", first).bind("t", end)
                .map((rs, ctx) -> new WindowCounts(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getLong(6), rs.getLong(7))).list());
    }

    /**
     * The minutes a span [from, to) reads: every minute it overlaps, from the one {@code from} falls in to the one
     * before {@code to} (its own minute too when {@code to} is not on a minute boundary). A span of seconds, or one
     * ending now, so still reads the minutes its traffic was logged in.
     */
    static long[] minutes(long from, long to) {
        return new long[] {Granularity.MINUTE.floor(from), Granularity.MINUTE.ceil(to)};
    }

    /** The pieces the {@link #minutes minutes} of [from, to) split into: whole days, then whole hours, then minutes. */
    static List<long[]> tiles(long from, long to) {
        var out = new ArrayList<long[]>(); // {granularity ordinal, start, end}
        var span = minutes(from, to);
        tile(out, span[0], span[1], Granularity.DAY);
        return out;
    }

    private static void tile(List<long[]> out, long from, long to, Granularity g) {
        if (from >= to) {
            return;
        }
        if (g == Granularity.MINUTE) {
            out.add(new long[] {g.ordinal(), from, to});
            return;
        }
        long first = g.ceil(from);
        long last = g.floor(to);
        var finer = Granularity.values()[g.ordinal() - 1];
        if (first >= last) {
            tile(out, from, to, finer);
            return;
        }
        tile(out, from, first, finer);
        out.add(new long[] {g.ordinal(), first, last});
        tile(out, last, to, finer);
    }

    /**
     * Everything logged for {@code deployment} (at {@code version}, or every version when null) in the
     * {@link #minutes minutes} of [from, to), read from the coarsest stored windows that tile the range (days, then
     * hours, then minutes); empty when nothing was logged.
     */
    public Optional<WindowData> summarize(String deployment, Integer version, long from, long to) {
        // folded in as read, one window at a time: a year of day rows is never held at once
        WindowData[] merged = {null};
        for (var tile : tiles(from, to)) {
            forEach(deployment, version, Granularity.values()[(int) tile[0]], tile[1], tile[2],
                    w -> merged[0] = merged[0] == null ? w.data() : merged[0].merge(w.data()));
        }
        return Optional.ofNullable(merged[0]);
    }

    /** Whether the database answers at all (to tell a bad window part from an outage). */
    public boolean reachable() {
        try {
            return database.read(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The newest model version with a window in the {@link #minutes minutes} of [from, to) (those
     * {@link #summarize} reads), if any: minute windows, or the hour and day windows that outlive them.
     */
    public Optional<Integer> latestVersion(String deployment, long from, long to) {
        var span = minutes(from, to);
        // an hour or day row counts only when the span holds all of it, as in summarize's tiles: one that reaches past
        // the span's end may hold a version rolled out after it
        return database.read(h -> h.createQuery("SELECT model_version FROM monitor_windows WHERE deployment = :d"
                        + " AND window_start >= :f AND window_start < :t AND (granularity = :minute"
                        + " OR (granularity = :hour AND window_start <= :lastHour)"
                        + " OR (granularity = :day AND window_start <= :lastDay))"
                        + " ORDER BY window_start DESC, model_version DESC LIMIT 1")
                .bind("d", deployment).bind("f", span[0]).bind("t", span[1])
                .bind("minute", Granularity.MINUTE.id()).bind("hour", Granularity.HOUR.id())
                .bind("day", Granularity.DAY.id()).bind("lastHour", span[1] - Granularity.HOUR.millis())
                .bind("lastDay", span[1] - Granularity.DAY.millis()).mapTo(Integer.class).findOne());
    }
}

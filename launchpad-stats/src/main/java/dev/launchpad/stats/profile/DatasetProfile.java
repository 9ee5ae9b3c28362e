package dev.launchpad.stats.profile;

import dev.launchpad.stats.Checks;
import dev.launchpad.stats.Column;
import dev.launchpad.stats.Dataset;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Column profiles by column name (sorted), plus the row count: the mergeable summary of a dataset
 * or of a window of a prediction stream. {@link #merge} is associative and commutative; profiles
 * built on several replicas or threads merge into the profile of all their rows.
 *
 * <p>A profile made by {@link #empty(boolean) empty(false)} gives its numeric columns no distinct count (see
 * {@link ColumnProfile#numericWithoutDistinctCount}); merged with one that has them, the result has none for the
 * columns either side lacks.
 */
public final class DatasetProfile {
    private static final int MAGIC = 0x4C50_4450; // "LPDP"
    private static final byte VERSION = 1;

    private final TreeMap<String, ColumnProfile> columns;
    private long rows;
    private final boolean numericDistinctCounts; // whether numeric columns created from now on keep a distinct count

    private DatasetProfile(TreeMap<String, ColumnProfile> columns, long rows, boolean numericDistinctCounts) {
        this.columns = columns;
        this.rows = rows;
        this.numericDistinctCounts = numericDistinctCounts;
    }

    /**
     * A profile whose columns were made elsewhere (read back, profiled in parallel): its new numeric columns keep a
     * distinct count unless one of its columns lacks one. (A profile made without them whose columns are all
     * categorical reads back as keeping them; only merges use read-back profiles, and a merge keeps a column's count
     * only where both sides have it.)
     */
    private DatasetProfile(TreeMap<String, ColumnProfile> columns, long rows) {
        this(columns, rows, columns.values().stream().allMatch(ColumnProfile::hasDistinctCount));
    }

    /** An empty profile (columns appear on first update). */
    public static DatasetProfile empty() {
        return empty(true);
    }

    /** An empty profile whose numeric columns keep a distinct count or not. */
    public static DatasetProfile empty(boolean numericDistinctCounts) {
        return new DatasetProfile(new TreeMap<>(), 0, numericDistinctCounts);
    }

    /** The profile of a whole dataset. */
    public static DatasetProfile of(Dataset dataset) {
        DatasetProfile p = empty();
        p.update(dataset);
        return p;
    }

    /**
     * The profile of a whole dataset, profiling up to {@code threads} columns at once (columns are
     * independent, so the result equals the single-threaded one).
     */
    public static DatasetProfile of(Dataset dataset, int threads) {
        Checks.notNull(dataset, "dataset");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        }
        if (threads == 1) {
            return of(dataset);
        }
        var pool = java.util.concurrent.Executors.newFixedThreadPool(Math.min(threads, Math.max(1, dataset.columns().size())),
                r -> {
                    Thread t = new Thread(r, "launchpad-profile");
                    t.setDaemon(true);
                    return t;
                });
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<ColumnProfile>>();
            for (Column c : dataset.columns().values()) {
                futures.add(pool.submit(() -> ColumnProfile.of(c)));
            }
            TreeMap<String, ColumnProfile> columns = new TreeMap<>();
            for (var f : futures) {
                ColumnProfile p = f.get();
                columns.put(p.name(), p);
            }
            return new DatasetProfile(columns, dataset.rowCount());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("profiling interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Adds every row of {@code dataset}; a column's kind must match the profile's existing column. */
    public void update(Dataset dataset) {
        Checks.notNull(dataset, "dataset");
        for (Column c : dataset.columns().values()) {
            ColumnProfile p = columns.get(c.name());
            if (p == null) {
                p = c instanceof Column.Numeric ? newNumeric(c.name()) : ColumnProfile.categorical(c.name());
                columns.put(c.name(), p);
            }
            if (c instanceof Column.Numeric num) {
                if (p.kind() != ColumnProfile.Kind.NUMERIC) {
                    throw new IllegalArgumentException("column '" + c.name() + "' is categorical in the profile but numeric in the data");
                }
                p.update(num.values());
            } else {
                if (p.kind() != ColumnProfile.Kind.CATEGORICAL) {
                    throw new IllegalArgumentException("column '" + c.name() + "' is numeric in the profile but categorical in the data");
                }
                p.update(((Column.Categorical) c).values());
            }
        }
        rows += dataset.rowCount();
    }

    /**
     * The profile of column {@code name}, created empty of {@code kind} when the profile has none yet, for callers
     * that feed columns one at a time (with {@link #addRows}); an existing column of the other kind is refused.
     */
    public ColumnProfile columnOf(String name, ColumnProfile.Kind kind) {
        Checks.notNull(kind, "kind");
        ColumnProfile p = columns.get(name);
        if (p == null) {
            p = kind == ColumnProfile.Kind.NUMERIC ? newNumeric(name) : ColumnProfile.categorical(name);
            columns.put(name, p);
        } else if (p.kind() != kind) {
            throw new IllegalArgumentException("column '" + name + "' is " + p.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + " in the profile, not " + kind.name().toLowerCase(java.util.Locale.ROOT));
        }
        return p;
    }

    private ColumnProfile newNumeric(String name) {
        return numericDistinctCounts ? ColumnProfile.numeric(name) : ColumnProfile.numericWithoutDistinctCount(name);
    }

    /** Counts {@code n} more rows whose values were given to the columns directly (see {@link #columnOf}). */
    public void addRows(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("rows must be ≥ 0, got " + n);
        }
        rows += n;
    }

    /** The profile of both inputs' rows; neither input changes. Columns present on one side only are kept. */
    public DatasetProfile merge(DatasetProfile other) {
        Checks.notNull(other, "other");
        TreeMap<String, ColumnProfile> out = new TreeMap<>();
        for (var e : columns.entrySet()) {
            ColumnProfile o = other.columns.get(e.getKey());
            out.put(e.getKey(), e.getValue().merge(o == null ? ColumnProfile.emptyLike(e.getValue()) : o));
        }
        for (var e : other.columns.entrySet()) {
            if (!out.containsKey(e.getKey())) {
                out.put(e.getKey(), ColumnProfile.emptyLike(e.getValue()).merge(e.getValue()));
            }
        }
        return new DatasetProfile(out, rows + other.rows, numericDistinctCounts && other.numericDistinctCounts);
    }

    /** A copy of this profile without the named columns (its row count unchanged); this profile does not change. */
    public DatasetProfile without(java.util.Collection<String> names) {
        Checks.notNull(names, "names");
        TreeMap<String, ColumnProfile> out = new TreeMap<>();
        for (var e : columns.entrySet()) {
            if (!names.contains(e.getKey())) {
                out.put(e.getKey(), ColumnProfile.emptyLike(e.getValue()).merge(e.getValue()));
            }
        }
        return new DatasetProfile(out, rows, numericDistinctCounts);
    }

    /** Rows added so far. */
    public long rowCount() {
        return rows;
    }

    /** The profiles by column name (unmodifiable view). */
    public SortedMap<String, ColumnProfile> columns() {
        return Collections.unmodifiableSortedMap(columns);
    }

    /** One column's profile, or an {@link IllegalArgumentException} naming it. */
    public ColumnProfile column(String name) {
        ColumnProfile p = columns.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no profile for column '" + name + "' (have " + columns.keySet() + ")");
        }
        return p;
    }

    /** Compact binary form of all column profiles. */
    public byte[] toBytes() {
        var bytes = new ByteArrayOutputStream(1024);
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            out.writeLong(rows);
            out.writeInt(columns.size());
            for (ColumnProfile p : columns.values()) {
                p.write(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads a profile written by {@link #toBytes()}. */
    public static DatasetProfile fromBytes(byte[] bytes) {
        Checks.notNull(bytes, "bytes");
        try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not a dataset profile (bad magic number)");
            }
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("unsupported dataset profile version " + version);
            }
            long rows = in.readLong();
            int n = in.readInt();
            if (n < 0) {
                throw new IllegalArgumentException("corrupt dataset profile (negative column count)");
            }
            TreeMap<String, ColumnProfile> columns = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                ColumnProfile p = ColumnProfile.read(in);
                columns.put(p.name(), p);
            }
            return new DatasetProfile(columns, rows);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("not a dataset profile: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "DatasetProfile[rows=" + rows + ", columns=" + columns.keySet() + "]";
    }

    /** The column profiles as a map (copy). */
    public Map<String, ColumnProfile> asMap() {
        return new TreeMap<>(columns);
    }
}

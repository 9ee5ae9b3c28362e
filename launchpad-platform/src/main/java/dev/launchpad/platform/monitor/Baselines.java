package dev.launchpad.platform.monitor;

import blue.strategic.parquet.Hydrator;
import blue.strategic.parquet.ParquetReader;
import dev.launchpad.core.csv.CsvReader;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Database;
import dev.launchpad.stats.profile.DatasetProfile;

import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Baselines: the reference profile (and a bounded uniform sample, for exact drift tests) of a model
 * version, made from its training or validation data (CSV) or given as a profile. Monitors compare
 * a deployment's traffic against the baseline of the version that served it.
 */
public final class Baselines {
    /** Rows of the reference kept for exact tests. */
    public static final int SAMPLE_SIZE = 5_000;
    /** Largest CSV accepted (rows). */
    public static final int MAX_ROWS = 5_000_000;

    private final Database database;
    private final Clock clock;

    public Baselines(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** A stored baseline. {@code sample} is null for a baseline given as a profile only. */
    public record Baseline(String model, int version, String source, long rows, DatasetProfile profile, RowSample sample,
                           long createdAt) {
    }

    /** Stores (or replaces) the baseline of a model version. */
    public Baseline put(String model, int version, String source, DatasetProfile profile, RowSample sample) {
        long now = clock.millis();
        database.writeVoid(h -> {
            h.createUpdate("DELETE FROM monitor_baselines WHERE model_name = :m AND model_version = :v")
                    .bind("m", model).bind("v", version).execute();
            h.createUpdate("INSERT INTO monitor_baselines (model_name, model_version, source, row_count, profile, sample,"
                            + " created_at) VALUES (:m, :v, :s, :r, :p, :smp, :t)")
                    .bind("m", model).bind("v", version).bind("s", source).bind("r", profile.rowCount())
                    .bind("p", profile.toBytes()).bind("smp", sample == null ? null : sample.toBytes()).bind("t", now)
                    .execute();
        });
        return new Baseline(model, version, source, profile.rowCount(), profile, sample, now);
    }

    public Optional<Baseline> get(String model, int version) {
        return database.read(h -> h.createQuery("SELECT * FROM monitor_baselines WHERE model_name = :m AND model_version = :v")
                .bind("m", model).bind("v", version)
                .map((rs, ctx) -> {
                    byte[] sample = rs.getBytes("sample");
                    return new Baseline(rs.getString("model_name"), rs.getInt("model_version"), rs.getString("source"),
                            rs.getLong("row_count"), DatasetProfile.fromBytes(rs.getBytes("profile")),
                            sample == null ? null : RowSample.fromBytes(sample, 7), rs.getLong("created_at"));
                }).findOne());
    }

    public boolean delete(String model, int version) {
        return database.write(h -> h.createUpdate("DELETE FROM monitor_baselines WHERE model_name = :m AND model_version = :v")
                .bind("m", model).bind("v", version).execute()) > 0;
    }

    /** A profile and sample read from CSV. */
    public record Reference(DatasetProfile profile, RowSample sample) {
    }

    /**
     * Profiles a CSV with a header row (a UTF-8 byte-order mark before it is skipped): a column whose present cells
     * all parse as numbers is numeric, any other is categorical, its cells kept as written except that a column of
     * only true and false in any case (pandas writes {@code True}) reads as {@code true} and {@code false}, as served
     * booleans do. Missing cells are those pandas reads as missing by default: empty, {@code NA}, {@code N/A},
     * {@code NaN}, {@code null}, {@code NULL}, {@code None} and the like. Read twice, row by row — once for the
     * columns' kinds, once into columns — so memory follows the values, not the text. INVALID_PARAMETER_VALUE for a
     * malformed file.
     */
    public static Reference fromCsv(byte[] csv) {
        int start = csv.length >= 3 && (csv[0] & 0xFF) == 0xEF && (csv[1] & 0xFF) == 0xBB && (csv[2] & 0xFF) == 0xBF ? 3 : 0;
        var first = new CsvReader(new InputStreamReader(new ByteArrayInputStream(csv, start, csv.length - start),
                StandardCharsets.UTF_8));
        var header = first.next();
        if (header == null) {
            throw LaunchpadException.invalid("The CSV is empty; it needs a header row and data rows.");
        }
        var names = new java.util.HashSet<String>();
        for (var name : header) {
            if (name.isBlank() || !names.add(name)) {
                throw LaunchpadException.invalid("The CSV header has an empty or repeated column name '" + name + "'.");
            }
        }
        int width = header.size();
        boolean[] numeric = new boolean[width];
        java.util.Arrays.fill(numeric, true);
        boolean[] booleans = new boolean[width]; // only true and false (any case) so far
        java.util.Arrays.fill(booleans, true);
        int n = 0;
        for (var row = first.next(); row != null; row = first.next()) {
            if (++n > MAX_ROWS) {
                throw LaunchpadException.invalid("The CSV has more than " + MAX_ROWS + " rows (profile a larger"
                        + " dataset yourself and upload the profile).");
            }
            if (row.size() != width) {
                throw LaunchpadException.invalid("CSV row " + (n + 1) + " has " + row.size() + " fields; the header has "
                        + width + ".");
            }
            for (int c = 0; c < width; c++) {
                if (numeric[c] || booleans[c]) {
                    var cell = row.get(c).strip();
                    boolean absent = missing(cell);
                    numeric[c] = numeric[c] && (absent || Predictions.isNumber(cell));
                    booleans[c] = booleans[c] && (absent || cell.equalsIgnoreCase("true") || cell.equalsIgnoreCase("false"));
                }
            }
        }
        if (n == 0) {
            throw LaunchpadException.invalid("The CSV has a header but no data rows.");
        }
        double[][] numbers = new double[width][];
        String[][] labels = new String[width][];
        var interned = new java.util.HashMap<String, String>();
        for (int c = 0; c < width; c++) {
            if (numeric[c]) {
                numbers[c] = new double[n];
            } else {
                labels[c] = new String[n];
            }
        }
        var second = new CsvReader(new InputStreamReader(new ByteArrayInputStream(csv, start, csv.length - start),
                StandardCharsets.UTF_8));
        second.next(); // the header
        for (int r = 0; r < n; r++) {
            var row = second.next();
            for (int c = 0; c < width; c++) {
                var cell = row.get(c);
                boolean absent = missing(cell.strip());
                if (numeric[c]) {
                    numbers[c][r] = absent ? Double.NaN : Double.parseDouble(cell.strip());
                } else {
                    if (booleans[c] && !absent) {
                        cell = cell.strip().equalsIgnoreCase("true") ? "true" : "false";
                    }
                    labels[c][r] = absent ? null
                            : interned.size() < 100_000 ? interned.computeIfAbsent(cell, v -> v) : cell;
                }
            }
        }
        var features = new ArrayList<FeatureBatch.Feature>();
        for (int c = 0; c < width; c++) {
            features.add(numeric[c] ? FeatureBatch.Feature.numeric(header.get(c), numbers[c])
                    : FeatureBatch.Feature.categorical(header.get(c), labels[c]));
        }
        return reference(n, features);
    }

    private static Reference reference(int rows, List<FeatureBatch.Feature> features) {
        var batch = new FeatureBatch(rows, features);
        var w = WindowData.empty(SAMPLE_SIZE, 42);
        w.add("ok", 0, batch, FeatureBatch.empty(rows));
        return new Reference(w.inputs(), w.inputSample());
    }

    /**
     * Profiles a Parquet file of flat columns: numbers (INT32, INT64, FLOAT, DOUBLE) are numeric, strings and
     * booleans categorical, nulls missing. INVALID_PARAMETER_VALUE for a file that is not Parquet or has nested
     * columns.
     */
    public static Reference fromParquet(Path file) {
        var columns = new java.util.LinkedHashMap<String, ReferenceColumn>();
        try {
            // the schema first: a refusal here leaves no reader open
            for (var d : ParquetReader.readMetadata(file.toFile()).getFileMetaData().getSchema().getColumns()) {
                if (d.getPath().length != 1 || d.getMaxRepetitionLevel() > 0) {
                    throw LaunchpadException.invalid("The Parquet file has a nested or repeated column '"
                            + String.join(".", d.getPath()) + "'; reference data needs flat columns.");
                }
                var type = d.getPrimitiveType().getPrimitiveTypeName();
                boolean numeric = switch (type) {
                    case INT32, INT64, FLOAT, DOUBLE -> true;
                    default -> false; // strings, booleans, binary, INT96
                };
                columns.put(d.getPath()[0], new ReferenceColumn(numeric));
            }
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
        var index = new java.util.HashMap<String, Integer>();
        columns.keySet().forEach(name -> index.put(name, index.size()));
        var list = List.copyOf(columns.values());
        long[] rows = {0};
        try (var stream = ParquetReader.streamContent(file.toFile(), descriptors -> new Hydrator<Object[], Object[]>() {
            @Override
            public Object[] start() {
                return new Object[list.size()];
            }

            @Override
            public Object[] add(Object[] row, String heading, Object value) {
                var i = index.get(heading);
                if (i != null) {
                    row[i] = value;
                }
                return row;
            }

            @Override
            public Object[] finish(Object[] row) {
                return row;
            }
        })) {
            stream.forEach(row -> {
                if (++rows[0] > MAX_ROWS) {
                    throw LaunchpadException.invalid("The Parquet file has more than " + MAX_ROWS + " rows (profile a"
                            + " larger dataset yourself and upload the profile).");
                }
                for (int c = 0; c < row.length; c++) {
                    list.get(c).add(row[c]);
                }
            });
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
        if (rows[0] == 0) {
            throw LaunchpadException.invalid("The Parquet file has no rows.");
        }
        int n = (int) rows[0];
        var features = new ArrayList<FeatureBatch.Feature>();
        columns.forEach((name, column) -> features.add(column.feature(name, n)));
        return reference(n, features);
    }

    /** Our own refusal (the reader wraps what its consumer throws), or INVALID_PARAMETER_VALUE for the file. */
    private static LaunchpadException unreadable(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LaunchpadException refusal) {
                return refusal;
            }
        }
        return LaunchpadException.invalid("The file is not readable Parquet: " + e.getMessage());
    }

    /** Whether {@code bytes} look like a Parquet file (the magic "PAR1" at both ends). */
    public static boolean isParquet(byte[] bytes) {
        return bytes.length >= 8 && bytes[0] == 'P' && bytes[1] == 'A' && bytes[2] == 'R' && bytes[3] == '1'
                && bytes[bytes.length - 4] == 'P' && bytes[bytes.length - 3] == 'A' && bytes[bytes.length - 2] == 'R'
                && bytes[bytes.length - 1] == '1';
    }

    /** One reference column being read: numbers until a value is not one, then (interned) text. */
    /** One Parquet column being read: numbers for the numeric physical types, (interned) text otherwise. */
    private static final class ReferenceColumn {
        private double[] numbers;
        private String[] labels;
        private final java.util.Map<String, String> interned = new java.util.HashMap<>();
        private int size;

        ReferenceColumn(boolean numeric) {
            if (numeric) {
                numbers = new double[1024];
            } else {
                labels = new String[1024];
            }
        }

        /** Adds a value as the reader gives it: a Number, a String or Boolean, or null (missing). */
        void add(Object value) {
            if (numbers != null) {
                if (size == numbers.length) {
                    numbers = java.util.Arrays.copyOf(numbers, size * 2);
                }
                numbers[size++] = value == null ? Double.NaN : ((Number) value).doubleValue();
            } else {
                if (size == labels.length) {
                    labels = java.util.Arrays.copyOf(labels, size * 2);
                }
                var text = value == null ? null : value.toString();
                labels[size++] = text == null || interned.size() >= 100_000 ? text
                        : interned.computeIfAbsent(text, v -> v);
            }
        }

        FeatureBatch.Feature feature(String name, int rows) {
            return numbers != null ? FeatureBatch.Feature.numeric(name, java.util.Arrays.copyOf(numbers, rows))
                    : FeatureBatch.Feature.categorical(name, java.util.Arrays.copyOf(labels, rows));
        }
    }

    /** What pandas' read_csv takes as missing by default (its na_values), with NaN in any case. */
    private static final Set<String> MISSING = Set.of("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "1.#IND",
            "1.#QNAN", "<NA>", "N/A", "n/a", "NA", "NULL", "null", "None");

    private static boolean missing(String cell) {
        return MISSING.contains(cell) || cell.equalsIgnoreCase("nan") || cell.equalsIgnoreCase("-nan");
    }
}

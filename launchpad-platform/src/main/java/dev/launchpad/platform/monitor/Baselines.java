package dev.launchpad.platform.monitor;

import blue.strategic.parquet.Hydrator;
import blue.strategic.parquet.ParquetReader;
import dev.launchpad.core.csv.CsvReader;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Database;
import dev.launchpad.stats.profile.DatasetProfile;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
     * Profiles a CSV with a header row: a column whose non-empty cells all parse as numbers is numeric
     * (empty, {@code NA}, {@code NaN} and {@code null} cells are missing), any other is categorical (where
     * the cells read before its first non-number keep their numeric spelling, e.g. {@code 1} for {@code 1.0}).
     * Read row by row into columns, so memory follows the values, not the text. INVALID_PARAMETER_VALUE for
     * a malformed file.
     */
    public static Reference fromCsv(InputStream in) {
        var csv = new CsvReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        var header = csv.next();
        if (header == null) {
            throw LaunchpadException.invalid("The CSV is empty; it needs a header row and data rows.");
        }
        var names = new java.util.HashSet<String>();
        for (var name : header) {
            if (name.isBlank() || !names.add(name)) {
                throw LaunchpadException.invalid("The CSV header has an empty or repeated column name '" + name + "'.");
            }
        }
        var columns = new ReferenceColumn[header.size()];
        for (int c = 0; c < columns.length; c++) {
            columns[c] = new ReferenceColumn();
        }
        int n = 0;
        for (var row = csv.next(); row != null; row = csv.next()) {
            if (++n > MAX_ROWS) {
                throw LaunchpadException.invalid("The CSV has more than " + MAX_ROWS + " rows (profile a larger"
                        + " dataset yourself and upload the profile).");
            }
            if (row.size() != columns.length) {
                throw LaunchpadException.invalid("CSV row " + (n + 1) + " has " + row.size() + " fields; the header has "
                        + columns.length + ".");
            }
            for (int c = 0; c < columns.length; c++) {
                columns[c].add(row.get(c));
            }
        }
        if (n == 0) {
            throw LaunchpadException.invalid("The CSV has a header but no data rows.");
        }
        var features = new ArrayList<FeatureBatch.Feature>();
        for (int c = 0; c < columns.length; c++) {
            features.add(columns[c].feature(header.get(c), n));
        }
        var batch = new FeatureBatch(n, features);
        var w = WindowData.empty(SAMPLE_SIZE, 42);
        w.add("ok", 0, batch, FeatureBatch.empty(n));
        return new Reference(w.inputs(), w.inputSample());
    }

    /**
     * Profiles a Parquet file of flat columns: numbers (INT32, INT64, FLOAT, DOUBLE) are numeric, strings and
     * booleans categorical, nulls missing. INVALID_PARAMETER_VALUE for a file that is not Parquet or has nested
     * columns.
     */
    public static Reference fromParquet(Path file) {
        var columns = new java.util.LinkedHashMap<String, ReferenceColumn>();
        long[] rows = {0};
        try (var stream = ParquetReader.streamContent(file.toFile(), descriptors -> {
            for (var d : descriptors) {
                if (d.getPath().length != 1 || d.getMaxRepetitionLevel() > 0) {
                    throw LaunchpadException.invalid("The Parquet file has a nested or repeated column '"
                            + String.join(".", d.getPath()) + "'; reference data needs flat columns.");
                }
                columns.put(d.getPath()[0], new ReferenceColumn());
            }
            var names = List.copyOf(columns.keySet());
            return new Hydrator<Object[], Object[]>() {
                @Override
                public Object[] start() {
                    return new Object[names.size()];
                }

                @Override
                public Object[] add(Object[] row, String heading, Object value) {
                    int i = names.indexOf(heading);
                    if (i >= 0) {
                        row[i] = value;
                    }
                    return row;
                }

                @Override
                public Object[] finish(Object[] row) {
                    return row;
                }
            };
        })) {
            var list = List.copyOf(columns.values());
            stream.forEach(row -> {
                if (++rows[0] > MAX_ROWS) {
                    throw LaunchpadException.invalid("The Parquet file has more than " + MAX_ROWS + " rows (profile a"
                            + " larger dataset yourself and upload the profile).");
                }
                for (int c = 0; c < row.length; c++) {
                    var column = list.get(c);
                    switch (row[c]) {
                        case null -> column.addMissing();
                        case Number number -> column.addNumber(number.doubleValue());
                        case org.apache.parquet.io.api.Binary binary -> column.addLabel(binary.toStringUsingUTF8());
                        default -> column.addLabel(row[c].toString());
                    }
                }
            });
        } catch (LaunchpadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw LaunchpadException.invalid("The file is not readable Parquet: " + e.getMessage());
        }
        if (rows[0] == 0) {
            throw LaunchpadException.invalid("The Parquet file has no rows.");
        }
        int n = (int) rows[0];
        var features = new ArrayList<FeatureBatch.Feature>();
        columns.forEach((name, column) -> features.add(column.feature(name, n)));
        var batch = new FeatureBatch(n, features);
        var w = WindowData.empty(SAMPLE_SIZE, 42);
        w.add("ok", 0, batch, FeatureBatch.empty(n));
        return new Reference(w.inputs(), w.inputSample());
    }

    /** Whether {@code bytes} look like a Parquet file (the magic "PAR1" at both ends). */
    public static boolean isParquet(byte[] bytes) {
        return bytes.length >= 8 && bytes[0] == 'P' && bytes[1] == 'A' && bytes[2] == 'R' && bytes[3] == '1'
                && bytes[bytes.length - 4] == 'P' && bytes[bytes.length - 3] == 'A' && bytes[bytes.length - 2] == 'R'
                && bytes[bytes.length - 1] == '1';
    }

    /** One reference column being read: numbers until a value is not one, then (interned) text. */
    private static final class ReferenceColumn {
        private double[] numbers = new double[1024];
        private String[] labels;
        private final java.util.Map<String, String> interned = new java.util.HashMap<>();
        private int size;

        void add(String raw) {
            var cell = raw.strip();
            if (missing(cell)) {
                addMissing();
                return;
            }
            if (labels == null) {
                try {
                    addNumber(Double.parseDouble(cell));
                    return;
                } catch (NumberFormatException e) {
                    // text: the column is categorical from here on
                }
            }
            addLabel(raw);
        }

        void addNumber(double v) {
            if (labels != null) {
                addLabel(Predictions.format(v));
                return;
            }
            grow();
            numbers[size++] = v;
        }

        void addMissing() {
            grow();
            if (labels == null) {
                numbers[size++] = Double.NaN;
            } else {
                labels[size++] = null;
            }
        }

        void addLabel(String label) {
            if (labels == null) {
                labels = new String[numbers.length];
                for (int i = 0; i < size; i++) {
                    labels[i] = Double.isNaN(numbers[i]) ? null : intern(Predictions.format(numbers[i]));
                }
                numbers = null;
            }
            grow();
            labels[size++] = intern(label);
        }

        private String intern(String value) {
            return interned.size() < 100_000 ? interned.computeIfAbsent(value, v -> v) : value;
        }

        private void grow() {
            if (labels == null && size == numbers.length) {
                numbers = java.util.Arrays.copyOf(numbers, size * 2);
            } else if (labels != null && size == labels.length) {
                labels = java.util.Arrays.copyOf(labels, size * 2);
            }
        }

        FeatureBatch.Feature feature(String name, int rows) {
            return labels == null ? FeatureBatch.Feature.numeric(name, java.util.Arrays.copyOf(numbers, rows))
                    : FeatureBatch.Feature.categorical(name, java.util.Arrays.copyOf(labels, rows));
        }
    }

    private static boolean missing(String cell) {
        return cell.isEmpty() || cell.equals("NA") || cell.equalsIgnoreCase("nan") || cell.equals("null");
    }
}

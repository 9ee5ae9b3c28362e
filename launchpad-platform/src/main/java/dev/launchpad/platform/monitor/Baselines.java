package dev.launchpad.platform.monitor;

import blue.strategic.parquet.Hydrator;
import blue.strategic.parquet.ParquetReader;
import dev.launchpad.core.csv.CsvReader;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.text.Decimals;
import dev.launchpad.platform.store.Database;
import dev.launchpad.stats.profile.DatasetProfile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        try {
            // one statement, so that two uploads for the same version at once both succeed (the last one stays)
            database.writeVoid(h -> h.createUpdate("INSERT INTO monitor_baselines (model_name, model_version, source,"
                            + " row_count, profile, sample, created_at) VALUES (:m, :v, :s, :r, :p, :smp, :t)"
                            + " ON CONFLICT (model_name, model_version) DO UPDATE SET source = excluded.source,"
                            + " row_count = excluded.row_count, profile = excluded.profile, sample = excluded.sample,"
                            + " created_at = excluded.created_at")
                    .bind("m", model).bind("v", version).bind("s", source).bind("r", profile.rowCount())
                    .bind("p", profile.toBytes()).bind("smp", sample == null ? null : sample.toBytes()).bind("t", now)
                    .execute());
        } catch (RuntimeException e) {
            if (Database.isForeignKeyViolation(e)) { // the version was deleted while its data was read
                throw LaunchpadException.notFound("Model version " + model + "/" + version + " does not exist.");
            }
            throw e;
        }
        return new Baseline(model, version, source, profile.rowCount(), profile, sample, now);
    }

    public Optional<Baseline> get(String model, int version) {
        return database.read(h -> h.createQuery("SELECT * FROM monitor_baselines WHERE model_name = :m AND model_version = :v")
                .bind("m", model).bind("v", version)
                .map((rs, ctx) -> {
                    byte[] sample = rs.getBytes("sample");
                    DatasetProfile profile;
                    try {
                        profile = DatasetProfile.fromBytes(rs.getBytes("profile"));
                    } catch (IllegalArgumentException e) { // stored by the server: not the request's fault
                        throw new IllegalStateException("corrupt baseline profile of " + model + " v" + version, e);
                    }
                    return new Baseline(rs.getString("model_name"), rs.getInt("model_version"), rs.getString("source"),
                            rs.getLong("row_count"), profile, sample == null ? null : RowSample.fromBytes(sample, 7),
                            rs.getLong("created_at"));
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
     * columns' kinds, once into the profile a chunk of rows at a time ({@link ReferenceRows}) — so memory follows a
     * chunk, not the file. {@code inf} and {@code -inf} (as pandas writes infinities) are numbers. At most
     * {@link #MAX_COLUMNS} columns and {@link #MAX_FIELD_CHARS} characters a cell. INVALID_PARAMETER_VALUE for a
     * malformed file.
     */
    public static Reference fromCsv(byte[] csv) {
        return fromCsv(() -> new ByteArrayInputStream(csv));
    }

    /** {@link #fromCsv(byte[])} of a file. */
    public static Reference fromCsv(Path file) {
        return fromCsv(() -> Files.newInputStream(file));
    }

    /** Opens the CSV's bytes from the start (it is read twice). */
    private interface Source {
        InputStream open() throws IOException;
    }

    /** What to do with a CSV that is not UTF-8. */
    private static final String SAVE_AS_UTF8 = "save it as UTF-8 (pandas' to_csv default; in Excel \"CSV UTF-8\").";

    private static CsvReader csvReader(InputStream in) throws IOException {
        var buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(3);
        int first = buffered.read();
        int second = buffered.read();
        if ((first == 0xFF && second == 0xFE) || (first == 0xFE && second == 0xFF)) {
            throw LaunchpadException.invalid("The CSV is UTF-16 text; " + SAVE_AS_UTF8);
        }
        if (!(first == 0xEF && second == 0xBB && buffered.read() == 0xBF)) {
            buffered.reset(); // no byte-order mark
        }
        // bytes that are not UTF-8 are refused rather than replaced: a Latin-1 'Café' would otherwise become an
        // unseen category for every 'Café' served
        var utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        return new CsvReader(new InputStreamReader(buffered, utf8), MAX_FIELD_CHARS, MAX_COLUMNS, MAX_ROW_CHARS);
    }

    /** The reader's next row; INVALID_PARAMETER_VALUE when the bytes are not UTF-8 (the reader decodes ahead). */
    private static List<String> next(CsvReader reader) {
        try {
            return reader.next();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof java.nio.charset.CharacterCodingException) {
                throw LaunchpadException.invalid("The CSV is not UTF-8 text; " + SAVE_AS_UTF8);
            }
            throw e;
        }
    }

    private static Reference fromCsv(Source source) {
        try (var firstIn = source.open(); var secondIn = source.open()) {
            var first = csvReader(firstIn);
            var read = next(first);
            if (read == null) {
                throw LaunchpadException.invalid("The CSV is empty; it needs a header row and data rows.");
            }
            var header = new ArrayList<String>(read.size());
            var names = new java.util.HashSet<String>();
            for (var name : read) {
                if (name.indexOf('\0') >= 0) { // every other byte 0: UTF-16 without its byte-order mark
                    throw LaunchpadException.invalid("The CSV header has NUL characters, as UTF-16 text has; "
                            + SAVE_AS_UTF8);
                }
                // a column without a name is what pandas reads as "Unnamed: i", such as the index to_csv writes first
                name = name.isBlank() ? "Unnamed: " + header.size() : name;
                if (!names.add(name)) {
                    throw LaunchpadException.invalid("The CSV header has a repeated column name '" + name + "'.");
                }
                header.add(name);
            }
            int width = header.size();
            boolean[] numeric = new boolean[width];
            java.util.Arrays.fill(numeric, true);
            boolean[] booleans = new boolean[width]; // only true and false (any case) so far
            java.util.Arrays.fill(booleans, true);
            int n = 0;
            for (var row = next(first); row != null; row = next(first)) {
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
                        numeric[c] = numeric[c] && (absent || Decimals.parseNumber(cell) != null);
                        booleans[c] = booleans[c] && (absent || cell.equalsIgnoreCase("true") || cell.equalsIgnoreCase("false"));
                    }
                }
            }
            if (n == 0) {
                throw LaunchpadException.invalid("The CSV has a header but no data rows.");
            }
            var columns = new ArrayList<ReferenceColumn>(width);
            for (int c = 0; c < width; c++) {
                columns.add(new ReferenceColumn(numeric[c]));
            }
            var rows = new ReferenceRows(header, columns);
            var second = csvReader(secondIn);
            second.next(); // the header
            for (int r = 0; r < n; r++) {
                var row = second.next();
                long text = 0;
                for (int c = 0; c < width; c++) {
                    var cell = row.get(c).strip();
                    if (missing(cell)) {
                        text += columns.get(c).add(null);
                    } else if (numeric[c]) {
                        text += columns.get(c).add(Decimals.parseNumber(cell));
                    } else if (booleans[c]) {
                        text += columns.get(c).add(cell.equalsIgnoreCase("true") ? "true" : "false");
                    } else {
                        text += columns.get(c).add(row.get(c)); // kept as written
                    }
                }
                rows.endRow(text);
            }
            return rows.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Columns a reference CSV may have: as many as a window of traffic keeps. */
    public static final int MAX_COLUMNS = FeatureBatch.MAX_FEATURES;
    /** Characters a reference CSV's cell may have. */
    public static final int MAX_FIELD_CHARS = 100_000;
    /** Characters a reference CSV's row may have. */
    public static final long MAX_ROW_CHARS = 16L << 20;

    /**
     * Reference rows on their way into a profile and sample: profiled a chunk at a time — 65 536 rows, fewer for a
     * wide file (about four million values) or one of long text (about 16 million characters) — so that a large file
     * needs the memory of a chunk, not of all its values.
     */
    private static final class ReferenceRows {
        private static final int CHUNK_VALUES = 1 << 22;
        private static final long CHUNK_TEXT_CHARS = 16L << 20;

        private final List<String> names;
        private final List<ReferenceColumn> columns;
        private final WindowData window = WindowData.reference(SAMPLE_SIZE, 42);
        private final int chunkRows;
        private int buffered;
        private long bufferedText;

        ReferenceRows(List<String> names, List<ReferenceColumn> columns) {
            for (var name : names) {
                if (name.length() > FeatureBatch.MAX_NAME_LENGTH) {
                    throw LaunchpadException.invalid("Column names have at most " + FeatureBatch.MAX_NAME_LENGTH
                            + " characters; one has " + name.length() + ".");
                }
            }
            this.names = List.copyOf(names);
            this.columns = columns;
            this.chunkRows = Math.clamp(CHUNK_VALUES / Math.max(1, columns.size()), 512, 65_536);
        }

        /** Ends a row whose value every column has taken, {@code textChars} characters of them text. */
        void endRow(long textChars) {
            bufferedText += textChars;
            if (++buffered == chunkRows || bufferedText >= CHUNK_TEXT_CHARS) {
                profile();
            }
        }

        private void profile() {
            var features = new ArrayList<FeatureBatch.Feature>(columns.size());
            for (int c = 0; c < columns.size(); c++) {
                features.add(columns.get(c).feature(names.get(c), buffered));
                columns.get(c).clear();
            }
            window.add("ok", 0, new FeatureBatch(buffered, features), FeatureBatch.empty(buffered));
            buffered = 0;
            bufferedText = 0;
        }

        Reference finish() {
            if (buffered > 0) {
                profile();
            }
            return new Reference(window.inputs(), window.inputSample());
        }
    }

    /**
     * Profiles a Parquet file of flat columns: numbers (INT32, INT64, FLOAT, DOUBLE, and decimals however stored) are numeric, strings and
     * booleans categorical, nulls missing. INVALID_PARAMETER_VALUE for a file that is not Parquet or has nested
     * columns.
     */
    public static Reference fromParquet(Path file) {
        var columns = new java.util.LinkedHashMap<String, ReferenceColumn>();
        try {
            // the schema first: a refusal here leaves no reader open
            var metadata = ParquetReader.readMetadata(file.toFile());
            for (var block : metadata.getBlocks()) {
                for (var chunk : block.getColumns()) {
                    if (!READABLE_CODECS.contains(chunk.getCodec().name())) {
                        // the embedded reader has no codec for it (its stand-in for Hadoop fails with an Error)
                        throw LaunchpadException.invalid("The Parquet file's column '" + chunk.getPath().toDotString()
                                + "' is compressed with " + chunk.getCodec() + ", which Launchpad does not read; write it"
                                + " with snappy (pandas' default), zstd or no compression.");
                    }
                }
            }
            int width = metadata.getFileMetaData().getSchema().getColumns().size();
            if (width > MAX_COLUMNS) { // as a CSV's: a window keeps no more features, so no more could be compared
                throw LaunchpadException.invalid("The Parquet file has " + width + " columns; reference data may have at"
                        + " most " + MAX_COLUMNS + ".");
            }
            for (var d : metadata.getFileMetaData().getSchema().getColumns()) {
                if (d.getPath().length != 1 || d.getMaxRepetitionLevel() > 0) {
                    throw LaunchpadException.invalid("The Parquet file has a nested or repeated column '"
                            + String.join(".", d.getPath()) + "'; reference data needs flat columns.");
                }
                var type = d.getPrimitiveType().getPrimitiveTypeName();
                // decimals are numbers: pandas' Decimal and pyarrow's decimal128 (a fixed-length byte array the reader
                // gives as decimal text) and those stored as INT32 or INT64 (their unscaled value, scaled here)
                var decimal = d.getPrimitiveType().getLogicalTypeAnnotation()
                        instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation dec ? dec : null;
                boolean numeric = decimal != null || switch (type) {
                    case INT32, INT64, FLOAT, DOUBLE -> true;
                    default -> false; // strings, booleans, binary, INT96
                };
                int scale = decimal != null && (type == PrimitiveType.PrimitiveTypeName.INT32
                        || type == PrimitiveType.PrimitiveTypeName.INT64) ? decimal.getScale() : 0;
                columns.put(d.getPath()[0], new ReferenceColumn(numeric, scale));
            }
        } catch (IOException | RuntimeException e) {
            throw unreadable(e);
        }
        var index = new java.util.HashMap<String, Integer>();
        columns.keySet().forEach(name -> index.put(name, index.size()));
        var list = List.copyOf(columns.values());
        var reference = new ReferenceRows(List.copyOf(columns.keySet()), list);
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
                long text = 0;
                for (int c = 0; c < row.length; c++) {
                    text += list.get(c).add(row[c]);
                }
                reference.endRow(text);
            });
        } catch (IOException | RuntimeException | LinkageError e) {
            throw unreadable(e); // (a LinkageError: a part of Hadoop the embedded reader lacks, for a codec say)
        }
        if (rows[0] == 0) {
            throw LaunchpadException.invalid("The Parquet file has no rows.");
        }
        return reference.finish();
    }

    /** The Parquet compression codecs the embedded reader decodes. */
    private static final java.util.Set<String> READABLE_CODECS = java.util.Set.of("UNCOMPRESSED", "SNAPPY", "ZSTD");

    /** Our own refusal (the reader wraps what its consumer throws), or INVALID_PARAMETER_VALUE for the file. */
    private static LaunchpadException unreadable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LaunchpadException refusal) {
                return refusal;
            }
        }
        return LaunchpadException.invalid("The file is not readable Parquet: " + e.getMessage());
    }

    /** Whether the file looks like a Parquet file (the magic "PAR1" at both ends). */
    public static boolean isParquet(Path file) {
        try (var in = new java.io.RandomAccessFile(file.toFile(), "r")) {
            long size = in.length();
            if (size < 8) {
                return false;
            }
            byte[] ends = new byte[8];
            in.readFully(ends, 0, 4);
            in.seek(size - 4);
            in.readFully(ends, 4, 4);
            return isParquet(ends);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code bytes} look like a Parquet file (the magic "PAR1" at both ends). */
    public static boolean isParquet(byte[] bytes) {
        return bytes.length >= 8 && parquetMagicAt(bytes, 0) && parquetMagicAt(bytes, bytes.length - 4);
    }

    /** Whether {@code head}, the first bytes of a file, start as Parquet does (with "PAR1"). */
    public static boolean startsAsParquet(byte[] head) {
        return head.length >= 4 && parquetMagicAt(head, 0);
    }

    private static boolean parquetMagicAt(byte[] bytes, int at) {
        return bytes[at] == 'P' && bytes[at + 1] == 'A' && bytes[at + 2] == 'R' && bytes[at + 3] == '1';
    }

    /** One reference column's values of the current chunk: numbers for a numeric column, (interned) text otherwise. */
    private static final class ReferenceColumn {
        private double[] numbers;
        private String[] labels;
        private final java.util.Map<String, String> interned = new java.util.HashMap<>();
        private int size;

        private final int scale; // a decimal's scale, for one whose values come unscaled; else 0

        ReferenceColumn(boolean numeric) {
            this(numeric, 0);
        }

        ReferenceColumn(boolean numeric, int scale) {
            this.scale = scale;
            if (numeric) {
                numbers = new double[16];
            } else {
                labels = new String[16];
            }
        }

        /** Adds a value as the reader gives it: a Number, a String or Boolean, or null (missing); its text's length. */
        int add(Object value) {
            if (numbers != null) {
                if (size == numbers.length) {
                    numbers = java.util.Arrays.copyOf(numbers, size * 2);
                }
                numbers[size++] = switch (value) {
                    case null -> Double.NaN;
                    case Number n when scale != 0 -> BigDecimal.valueOf(n.longValue(), scale).doubleValue();
                    case Number n -> n.doubleValue();
                    default -> new BigDecimal(value.toString()).doubleValue(); // a decimal the reader gave as text
                };
                return 0;
            }
            if (size == labels.length) {
                labels = java.util.Arrays.copyOf(labels, size * 2);
            }
            var text = value == null ? null : value.toString();
            labels[size++] = text == null || interned.size() >= 100_000 ? text
                    : interned.computeIfAbsent(text, v -> v);
            return text == null ? 0 : text.length();
        }

        FeatureBatch.Feature feature(String name, int rows) {
            return numbers != null ? FeatureBatch.Feature.numeric(name, java.util.Arrays.copyOf(numbers, rows))
                    : FeatureBatch.Feature.categorical(name, java.util.Arrays.copyOf(labels, rows));
        }

        /** Starts the next chunk (the arrays are reused). */
        void clear() {
            size = 0;
            interned.clear();
        }
    }

    /** What pandas' read_csv takes as missing by default (its na_values), with NaN in any case. */
    private static final Set<String> MISSING = Set.of("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "1.#IND",
            "1.#QNAN", "<NA>", "N/A", "n/a", "NA", "NULL", "null", "None");

    private static boolean missing(String cell) {
        return MISSING.contains(cell) || cell.equalsIgnoreCase("nan") || cell.equalsIgnoreCase("-nan");
    }
}

package dev.launchpad.platform.monitor;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The columns of one served request as monitoring sees them: each feature is numeric ({@code double[]},
 * NaN for a missing value) or categorical ({@code String[]}, null for a missing value), one value per row.
 * Built from request tensors or tables by the serving layer; profiles and samples are updated from it.
 *
 * <p>A request's one [rows, k] number tensor is kept as it came ({@link #matrix}) and read column by column in
 * place: profiling copies its values straight into its buffers, so the commonest request is not first split
 * into k arrays; {@link #features()} builds them only when asked. Batches compare by identity.
 */
public final class FeatureBatch {
    private final int rows;
    private final List<String> matrixNames; // the matrix's column names, or null
    private final Object matrix; // float[] or double[], row-major, rows × matrixNames.size(); or null
    private final List<Feature> given; // the features given, or null for a matrix
    private volatile List<Feature> built; // a matrix's features, built when first asked for

    public FeatureBatch(int rows, List<Feature> features) {
        features = List.copyOf(features);
        for (var f : features) {
            if (f.size() != rows) {
                throw new IllegalArgumentException("feature '" + f.name() + "' has " + f.size() + " values for " + rows + " rows");
            }
        }
        this.rows = rows;
        this.given = features;
        this.matrixNames = null;
        this.matrix = null;
    }

    private FeatureBatch(int rows, List<String> names, Object matrix) {
        this.rows = rows;
        this.given = null;
        this.matrixNames = names;
        this.matrix = matrix;
    }

    /**
     * The numeric features of a row-major {@code float[]} or {@code double[]} of {@code rows} × {@code names.size()}
     * values, column j named {@code names.get(j)}; the array is read in place (it must not change afterwards).
     * Batches given the same list made by {@code List.of} or {@code List.copyOf} are recognised as having the same
     * features without comparing names (any other list is copied, so its batches are not).
     */
    public static FeatureBatch matrix(List<String> names, Object rowMajor, int rows) {
        names = List.copyOf(names); // the same list when List.of or List.copyOf made it
        int length = switch (rowMajor) {
            case float[] a -> a.length;
            case double[] a -> a.length;
            default -> throw new IllegalArgumentException("a feature matrix is a float[] or double[], not "
                    + (rowMajor == null ? "null" : rowMajor.getClass().getSimpleName()));
        };
        if (rows < 0 || (long) rows * names.size() != length) {
            throw new IllegalArgumentException("a " + rows + " × " + names.size() + " feature matrix cannot hold "
                    + length + " values");
        }
        return new FeatureBatch(rows, names, rowMajor);
    }

    /** An empty batch (no features). */
    public static FeatureBatch empty(int rows) {
        return new FeatureBatch(rows, List.of());
    }

    public int rows() {
        return rows;
    }

    /** Longest feature name monitoring profiles and samples (stored profiles keep a name in at most 65 535 bytes). */
    static final int MAX_NAME_LENGTH = 1_000;

    /** Whether monitoring profiles and samples a feature of this name: it needs one, of at most {@link #MAX_NAME_LENGTH} characters. */
    static boolean profiledName(String name) {
        return name != null && !name.isBlank() && name.length() <= MAX_NAME_LENGTH;
    }

    /**
     * Most features one window profiles and samples, as many as reference data may have: a client that names its
     * columns anew in every request (a model taking any columns) cannot grow a window's profile, and the day row that
     * keeps it, without bound; the values of further features are counted as schema mismatches.
     */
    static final int MAX_FEATURES = 10_000;

    /** Longest category value monitoring keeps as it is. */
    static final int MAX_VALUE_LENGTH = 1_000;

    /**
     * A category value as monitoring keeps it in profiles, samples and prediction rows: as it is up to
     * {@link #MAX_VALUE_LENGTH} characters; a longer one (a document, an encoded image sent as a string) as its first
     * characters, an ellipsis and a 64-bit hash of the whole, so that it stays distinct from other values without a
     * stored window holding it whole. (The payload log writes what was sent.)
     */
    static String bounded(String value) {
        if (value == null || value.length() <= MAX_VALUE_LENGTH) {
            return value;
        }
        long hash = 0xCBF2_9CE4_8422_2325L; // FNV-1a over the UTF-16 units
        for (int i = 0; i < value.length(); i++) {
            hash = (hash ^ value.charAt(i)) * 0x100_0000_01B3L;
        }
        int keep = MAX_VALUE_LENGTH - 20;
        if (Character.isHighSurrogate(value.charAt(keep - 1))) {
            keep--; // not half a character
        }
        return value.substring(0, keep) + "…#" + HexFormat.of().toHexDigits(hash);
    }

    /** {@code values}, or a copy with the values {@link #bounded(String) bounded} where one is too long. */
    static String[] bounded(String[] values) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null && values[i].length() > MAX_VALUE_LENGTH) {
                var copy = values.clone();
                for (int j = i; j < copy.length; j++) {
                    copy[j] = bounded(copy[j]);
                }
                return copy;
            }
        }
        return values;
    }

    /** Every feature with its values. */
    public List<Feature> features() {
        if (given != null) {
            return given;
        }
        var f = built;
        if (f == null) {
            var columns = new ArrayList<Feature>(matrixNames.size());
            for (int j = 0; j < matrixNames.size(); j++) {
                var values = new double[rows];
                copyNumbers(j, values, 0);
                columns.add(Feature.numeric(matrixNames.get(j), values));
            }
            f = List.copyOf(columns);
            built = f;
        }
        return f;
    }

    /** Number of features. */
    public int width() {
        return matrix != null ? matrixNames.size() : given.size();
    }

    /** Name of feature j. */
    public String name(int j) {
        return matrix != null ? matrixNames.get(j) : given.get(j).name();
    }

    /** Whether feature j is numeric. */
    public boolean numeric(int j) {
        if (matrix != null) {
            Objects.checkIndex(j, matrixNames.size());
            return true; // a matrix holds numbers only
        }
        return given.get(j).numeric();
    }

    /** The names list a matrix batch was given (the same instance for batches of the same features), else null. */
    List<String> matrixNames() {
        return matrixNames;
    }

    /** Copies numeric feature j's values to {@code dest[at, at + rows)}. */
    void copyNumbers(int j, double[] dest, int at) {
        if (matrix == null) {
            System.arraycopy(given.get(j).numbers(), 0, dest, at, rows);
            return;
        }
        int width = matrixNames.size();
        if (matrix instanceof float[] a) {
            for (int r = 0, i = j; r < rows; r++, i += width) {
                dest[at + r] = a[i];
            }
        } else {
            double[] a = (double[]) matrix;
            for (int r = 0, i = j; r < rows; r++, i += width) {
                dest[at + r] = a[i];
            }
        }
    }

    /** Copies categorical feature j's values to {@code dest[at, at + rows)}. */
    void copyStrings(int j, String[] dest, int at) {
        var strings = features().get(j).strings();
        if (strings == null) {
            throw new IllegalArgumentException("feature " + j + " is numeric");
        }
        for (int r = 0; r < rows; r++) {
            dest[at + r] = bounded(strings[r]);
        }
    }

    /** Feature j's value in row r: a Double or a String (null when missing). */
    Object value(int j, int r) {
        if (matrix instanceof float[] a) {
            return (double) a[r * matrixNames.size() + j];
        }
        if (matrix instanceof double[] a) {
            return a[r * matrixNames.size() + j];
        }
        var f = given.get(j);
        return f.numeric() ? (Object) f.numbers()[r] : bounded(f.strings()[r]);
    }

    @Override
    public String toString() {
        return "FeatureBatch[rows=" + rows + ", features=" + width() + "]";
    }

    /** One feature's values: exactly one of {@code numbers} and {@code strings} is set. */
    public record Feature(String name, double[] numbers, String[] strings) {
        public Feature {
            if ((numbers == null) == (strings == null)) {
                throw new IllegalArgumentException("feature '" + name + "' needs numbers or strings");
            }
        }

        public static Feature numeric(String name, double[] values) {
            return new Feature(name, values, null);
        }

        public static Feature categorical(String name, String[] values) {
            return new Feature(name, null, values);
        }

        public boolean numeric() {
            return numbers != null;
        }

        public int size() {
            return numbers != null ? numbers.length : strings.length;
        }
    }
}

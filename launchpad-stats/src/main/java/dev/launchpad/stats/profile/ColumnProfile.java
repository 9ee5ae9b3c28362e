package dev.launchpad.stats.profile;

import dev.launchpad.stats.Checks;
import dev.launchpad.stats.Column;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import dev.launchpad.stats.sketch.DistinctCountSketch;
import dev.launchpad.stats.sketch.FrequentItemsSketch;
import dev.launchpad.stats.sketch.QuantileSketch;

/**
 * A mergeable summary of one column, in the spirit of whylogs: exact counts (rows, nulls, NaN,
 * infinities), min, max, mean and variance (Welford updates, Chan merges), plus three mergeable
 * sketches: KLL quantiles (numeric), HyperLogLog distinct count, and frequent items (categorical)
 * (see {@link dev.launchpad.stats.sketch}). A numeric profile may be made without the distinct count
 * ({@link #numericWithoutDistinctCount}) where nothing reads it: hashing every value is about a fifth of a
 * numeric column's profiling time, and the sketch 4 KiB of its stored size.
 *
 * <p>Profiles of disjoint parts of a stream {@link #merge merge} into the profile of the whole
 * (associative and commutative: exactly for the counts, min and max, to rounding for mean and
 * variance, and within the sketches' error bounds for quantiles, distinct and item counts), and
 * serialise compactly with {@link #toBytes()}. Not thread-safe: one writer at a time, merge across threads.
 */
public final class ColumnProfile {
    /** KLL accuracy parameter: about 1.65 % normalised rank error (PMF, 99 % confidence). */
    public static final int KLL_K = QuantileSketch.DEFAULT_K;
    /** HLL log2 of registers: about 1.6 % relative standard error. */
    public static final int HLL_LG_K = DistinctCountSketch.DEFAULT_LG_K;
    /** Frequent-items counters: exact counts for up to 256 distinct values. */
    public static final int ITEMS_CAPACITY = FrequentItemsSketch.DEFAULT_CAPACITY;

    private static final int MAGIC = 0x4C50_4350; // "LPCP"
    private static final byte VERSION = 1;
    /** The form of a profile without a distinct count; one with a distinct count is written as version 1 was. */
    private static final byte VERSION_NO_DISTINCT = 2;

    /** Numeric or categorical. */
    public enum Kind { NUMERIC, CATEGORICAL }

    private final String name;
    private final Kind kind;
    private long count;
    private long nulls;
    private long nans;
    private long infinities;
    private long n; // values in the moments and sketches
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private double mean;
    private double m2;
    private final QuantileSketch kll;
    private final DistinctCountSketch hll; // null when the profile keeps no distinct count
    private final FrequentItemsSketch items;

    private ColumnProfile(String name, Kind kind, QuantileSketch kll, DistinctCountSketch hll, FrequentItemsSketch items) {
        this.name = name;
        this.kind = kind;
        this.kll = kll;
        this.hll = hll;
        this.items = items;
    }

    /** An empty numeric profile. */
    public static ColumnProfile numeric(String name) {
        Checks.name(name);
        return new ColumnProfile(name, Kind.NUMERIC, new QuantileSketch(KLL_K), new DistinctCountSketch(HLL_LG_K), null);
    }

    /**
     * An empty numeric profile that keeps no distinct count ({@link #hasDistinctCount()} false), for streams whose
     * profiles are read for everything else: counts, moments, range and quantiles.
     */
    public static ColumnProfile numericWithoutDistinctCount(String name) {
        Checks.name(name);
        return new ColumnProfile(name, Kind.NUMERIC, new QuantileSketch(KLL_K), null, null);
    }

    /** An empty profile of the same name and kind as {@code like}, keeping a distinct count when it does. */
    static ColumnProfile emptyLike(ColumnProfile like) {
        if (like.kind == Kind.CATEGORICAL) {
            return categorical(like.name);
        }
        return like.hll == null ? numericWithoutDistinctCount(like.name) : numeric(like.name);
    }

    /** An empty categorical profile. */
    public static ColumnProfile categorical(String name) {
        Checks.name(name);
        return new ColumnProfile(name, Kind.CATEGORICAL, null, new DistinctCountSketch(HLL_LG_K),
                new FrequentItemsSketch(ITEMS_CAPACITY));
    }

    /** The profile of a whole column. */
    public static ColumnProfile of(Column column) {
        Checks.notNull(column, "column");
        if (column instanceof Column.Numeric num) {
            ColumnProfile p = numeric(num.name());
            p.update(num.values());
            return p;
        }
        Column.Categorical cat = (Column.Categorical) column;
        ColumnProfile p = categorical(cat.name());
        p.update(cat.values());
        return p;
    }

    // ------------------------------------------------------------------ updates

    /** Adds one numeric value; NaN counts as NaN, ±∞ as infinities (neither enters moments or sketches). */
    public void update(double v) {
        requireKind(Kind.NUMERIC);
        count++;
        if (Double.isNaN(v)) {
            nans++;
            return;
        }
        if (Double.isInfinite(v)) {
            infinities++;
            return;
        }
        n++;
        min = Math.min(min, v); // -0.0 below 0.0, as in batches and merges
        max = Math.max(max, v);
        double delta = v - mean;
        mean += delta / n;
        m2 += delta * (v - mean);
        kll.update(v);
        if (hll != null) {
            hll.update(v); // -0.0 and 0.0 hash alike
        }
    }

    /** Adds numeric values (the quantile sketch takes the finite ones as one batch). */
    public void update(double[] values) {
        Checks.notNull(values, "values");
        update(values, 0, values.length);
    }

    /**
     * Adds {@code values[from, to)}. Long runs are much cheaper per value than many short ones: the sketches
     * take the finite values as one batch.
     */
    public void update(double[] values, int from, int to) {
        Checks.notNull(values, "values");
        java.util.Objects.checkFromToIndex(from, to, values.length);
        requireKind(Kind.NUMERIC);
        count += to - from;
        if (to == from) {
            return;
        }
        // the sum and range first: a NaN or ±∞ among the values makes the sum NaN or infinite, so a finite sum says
        // every value is finite (the usual case); finite values whose sum overflows take the careful path too
        double total = sumAndRange(values, from, to);
        double[] finite = values;
        int start = from;
        int end = to;
        if (!Double.isFinite(total)) {
            finite = finiteValues(values, from, to);
            start = 0;
            end = finite.length;
            if (end == 0) {
                return;
            }
            total = sumAndRange(finite, start, end);
        }
        int m = end - start;
        // the quantile sketch is given the batch's range rather than scanning the batch for it again (it orders -0.0
        // below 0.0, as Math.min and Math.max do)
        kll.update(finite, start, end, scanMin, scanMax);
        min = Math.min(min, scanMin);
        max = Math.max(max, scanMax);
        if (hll != null) {
            hll.update(finite, start, end); // -0.0 and 0.0 hash alike
        }
        // the batch's own mean and squared deviations, combined with the running ones (Chan et al.); eight partial
        // sums, so that each addition need not wait for the one before
        double batchMean = total / m;
        if (!Double.isFinite(batchMean)) {
            // values near the largest double overflow a plain sum: the batch's mean one value at a time
            batchMean = 0;
            for (int i = start; i < end; i++) {
                batchMean += (finite[i] - batchMean) / (i - start + 1);
            }
        }
        double batchM2 = squaredDeviations(finite, start, end, batchMean);
        long all = n + m;
        double delta = batchMean - mean;
        mean += delta * ((double) m / all);
        m2 += batchM2 + delta * delta * ((double) n * m / all);
        n = all;
    }

    /** The finite values of {@code values[from, to)}, counting the NaN and infinite ones. */
    private double[] finiteValues(double[] values, int from, int to) {
        var finite = new double[to - from];
        int j = 0;
        for (int i = from; i < to; i++) {
            double v = values[i];
            if (Double.isFinite(v)) {
                finite[j++] = v;
            } else if (Double.isNaN(v)) {
                nans++;
            } else {
                infinities++;
            }
        }
        return Arrays.copyOf(finite, j);
    }

    // the range of the values sumAndRange last added up
    private double scanMin;
    private double scanMax;

    /**
     * Σ values[from, to) in eight interleaved partial sums, leaving the least and greatest of the values in
     * {@link #scanMin} and {@link #scanMax} (meaningless when the sum is not finite: a NaN compares false). One pass
     * for what took two: the range by comparisons, which after the first values are nearly always false (so cheap),
     * rather than through {@link Math#min}, each of which waits for the one before.
     */
    private double sumAndRange(double[] values, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        double lo = values[from];
        double hi = lo;
        int i = from;
        for (; i + 7 < to; i += 8) {
            double v0 = values[i];
            double v1 = values[i + 1];
            double v2 = values[i + 2];
            double v3 = values[i + 3];
            double v4 = values[i + 4];
            double v5 = values[i + 5];
            double v6 = values[i + 6];
            double v7 = values[i + 7];
            s0 += v0;
            s1 += v1;
            s2 += v2;
            s3 += v3;
            s4 += v4;
            s5 += v5;
            s6 += v6;
            s7 += v7;
            // written out for each value: as an inner loop of eight the range took about a third longer
            if (v0 < lo) {
                lo = v0;
            }
            if (v0 > hi) {
                hi = v0;
            }
            if (v1 < lo) {
                lo = v1;
            }
            if (v1 > hi) {
                hi = v1;
            }
            if (v2 < lo) {
                lo = v2;
            }
            if (v2 > hi) {
                hi = v2;
            }
            if (v3 < lo) {
                lo = v3;
            }
            if (v3 > hi) {
                hi = v3;
            }
            if (v4 < lo) {
                lo = v4;
            }
            if (v4 > hi) {
                hi = v4;
            }
            if (v5 < lo) {
                lo = v5;
            }
            if (v5 > hi) {
                hi = v5;
            }
            if (v6 < lo) {
                lo = v6;
            }
            if (v6 > hi) {
                hi = v6;
            }
            if (v7 < lo) {
                lo = v7;
            }
            if (v7 > hi) {
                hi = v7;
            }
        }
        for (; i < to; i++) {
            double v = values[i];
            s0 += v;
            if (v < lo) {
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
        }
        // comparisons do not order the zeros: a -0.0 after a 0.0 leaves the range at 0.0 (and the other way round)
        if (lo == 0 && Double.doubleToRawLongBits(lo) == 0 && hasZero(values, from, to, true)) {
            lo = -0.0;
        }
        if (hi == 0 && Double.doubleToRawLongBits(hi) != 0 && hasZero(values, from, to, false)) {
            hi = 0.0;
        }
        scanMin = lo;
        scanMax = hi;
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** Whether values[from, to) holds a -0.0 ({@code negative}) or a 0.0. */
    private static boolean hasZero(double[] values, int from, int to, boolean negative) {
        long bits = negative ? Long.MIN_VALUE : 0L;
        for (int i = from; i < to; i++) {
            if (Double.doubleToRawLongBits(values[i]) == bits) {
                return true;
            }
        }
        return false;
    }

    /** Σ (values[i] − mean)² in eight interleaved partial sums, so that each addition need not wait for the one before. */
    private static double squaredDeviations(double[] values, int from, int to, double mean) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int i = from;
        for (; i + 7 < to; i += 8) {
            double d0 = values[i] - mean;
            double d1 = values[i + 1] - mean;
            double d2 = values[i + 2] - mean;
            double d3 = values[i + 3] - mean;
            double d4 = values[i + 4] - mean;
            double d5 = values[i + 5] - mean;
            double d6 = values[i + 6] - mean;
            double d7 = values[i + 7] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
            s4 += d4 * d4;
            s5 += d5 * d5;
            s6 += d6 * d6;
            s7 += d7 * d7;
        }
        for (; i < to; i++) {
            double d = values[i] - mean;
            s0 += d * d;
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** Adds one categorical value; {@code null} counts as a null. */
    public void update(String v) {
        requireKind(Kind.CATEGORICAL);
        count++;
        if (v == null) {
            nulls++;
            return;
        }
        n++;
        hll.update(v);
        items.update(v);
    }

    /** Adds categorical values. */
    public void update(String[] values) {
        Checks.notNull(values, "values");
        update(values, 0, values.length);
    }

    /** Adds categorical values {@code values[from, to)}. */
    public void update(String[] values, int from, int to) {
        Checks.notNull(values, "values");
        java.util.Objects.checkFromToIndex(from, to, values.length);
        for (int i = from; i < to; i++) {
            update(values[i]);
        }
    }

    /** Records an explicit null (a missing value that was not a NaN), for either kind. */
    public void updateNull() {
        count++;
        nulls++;
    }

    private void requireKind(Kind k) {
        if (kind != k) {
            throw new IllegalArgumentException("column '" + name + "' is " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + ", cannot take a " + k.name().toLowerCase(java.util.Locale.ROOT) + " value");
        }
    }

    // ------------------------------------------------------------------ merge

    /**
     * The profile of both inputs together; neither input changes. Names and kinds must match. It keeps a distinct
     * count only when both do (a count of part of the values is not one of the union's).
     */
    public ColumnProfile merge(ColumnProfile other) {
        Checks.notNull(other, "other");
        if (!name.equals(other.name) || kind != other.kind) {
            throw new IllegalArgumentException("cannot merge profile of column '" + other.name + "' (" + other.kind
                    + ") into column '" + name + "' (" + kind + ")");
        }
        ColumnProfile out = kind == Kind.NUMERIC && (hll == null || other.hll == null)
                ? numericWithoutDistinctCount(name) : emptyLike(this);
        out.count = count + other.count;
        out.nulls = nulls + other.nulls;
        out.nans = nans + other.nans;
        out.infinities = infinities + other.infinities;
        out.n = n + other.n;
        out.min = Math.min(min, other.min);
        out.max = Math.max(max, other.max);
        if (out.n > 0) {
            // Chan et al.: combine means and sums of squared deviations
            double delta = other.mean - mean;
            out.mean = (n * mean + other.n * other.mean) / out.n;
            out.m2 = m2 + other.m2 + delta * delta * ((double) n * other.n / out.n);
        }
        if (out.hll != null) {
            out.hll.merge(hll);
            out.hll.merge(other.hll);
        }
        if (kind == Kind.NUMERIC) {
            out.kll.merge(kll);
            out.kll.merge(other.kll);
        } else {
            out.items.merge(items);
            out.items.merge(other.items);
        }
        return out;
    }

    // ------------------------------------------------------------------ read

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** Rows seen, missing included. */
    public long count() {
        return count;
    }

    /** Explicit nulls (categorical nulls, or {@link #updateNull()}). */
    public long nullCount() {
        return nulls;
    }

    /** NaN values (numeric). */
    public long nanCount() {
        return nans;
    }

    /** ±∞ values (numeric). */
    public long infiniteCount() {
        return infinities;
    }

    /** Present values: finite numbers or non-null strings. */
    public long validCount() {
        return n;
    }

    /** Share of rows that are present, 1 for an empty profile. */
    public double completeness() {
        return count == 0 ? 1.0 : (double) n / count;
    }

    /** Smallest finite value, NaN when none (numeric); -0.0 counts as smaller than 0.0. */
    public double min() {
        return n == 0 || kind != Kind.NUMERIC ? Double.NaN : min;
    }

    /** Largest finite value, NaN when none (numeric). */
    public double max() {
        return n == 0 || kind != Kind.NUMERIC ? Double.NaN : max;
    }

    /** Mean of the finite values, NaN when none. */
    public double mean() {
        return n == 0 || kind != Kind.NUMERIC ? Double.NaN : mean;
    }

    /** Sample variance (n - 1 denominator), NaN with fewer than 2 values. */
    public double variance() {
        return n < 2 || kind != Kind.NUMERIC ? Double.NaN : m2 / (n - 1);
    }

    /** Population variance (n denominator), NaN when empty. */
    public double populationVariance() {
        return n == 0 || kind != Kind.NUMERIC ? Double.NaN : m2 / n;
    }

    /** Sample standard deviation. */
    public double stddev() {
        return Math.sqrt(variance());
    }

    /** Approximate quantile of the finite values (KLL, inclusive), {@code q} in [0, 1]. */
    public double quantile(double q) {
        requireKind(Kind.NUMERIC);
        Checks.unit(q, "quantile");
        if (kll.isEmpty()) {
            return Double.NaN;
        }
        return kll.quantile(q);
    }

    /** Approximate fraction of finite values ≤ x (KLL). */
    public double rank(double x) {
        requireKind(Kind.NUMERIC);
        return kll.rank(x, true);
    }

    /** Whether this profile keeps a distinct count (every categorical one does; see {@link #numericWithoutDistinctCount}). */
    public boolean hasDistinctCount() {
        return hll != null;
    }

    /** Approximate number of distinct present values (HLL); an {@link IllegalStateException} when none is kept. */
    public double distinctEstimate() {
        return distinctSketch().estimate();
    }

    /**
     * Lower and upper bounds of the distinct count at {@code stdDevs} (1, 2 or 3) standard deviations; an
     * {@link IllegalStateException} when none is kept.
     */
    public double[] distinctBounds(int stdDevs) {
        return distinctSketch().bounds(stdDevs);
    }

    private DistinctCountSketch distinctSketch() {
        if (hll == null) {
            throw new IllegalStateException("the profile of column '" + name + "' keeps no distinct count");
        }
        return hll;
    }

    /** The normalised rank error of the quantile sketch (PMF form, 99 % confidence); 0 while it is exact. */
    public double rankError() {
        requireKind(Kind.NUMERIC);
        return kll.normalizedRankError();
    }

    /** One frequent item: estimated count with guaranteed bounds. */
    public record FrequentItem(String value, long estimate, long lowerBound, long upperBound) {
    }

    /**
     * Frequent categorical values, most frequent first, with no false negatives: every value with a true
     * count above {@link #frequentItemsMaxError()} is listed.
     */
    public List<FrequentItem> frequentItems() {
        requireKind(Kind.CATEGORICAL);
        List<FrequentItem> out = new ArrayList<>();
        for (var item : items.items()) {
            out.add(new FrequentItem(item.value(), item.lowerBound(), item.lowerBound(), item.upperBound()));
        }
        return out;
    }

    /** The largest possible error of any frequent-item count; 0 while the counts are exact. */
    public long frequentItemsMaxError() {
        requireKind(Kind.CATEGORICAL);
        return items.maximumError();
    }

    /** The quantile sketch (numeric; do not update it directly). */
    public QuantileSketch quantileSketch() {
        requireKind(Kind.NUMERIC);
        return kll;
    }

    /** The frequent-items sketch (categorical; do not update it directly). */
    public FrequentItemsSketch frequentItemsSketch() {
        requireKind(Kind.CATEGORICAL);
        return items;
    }

    /** The distinct-count sketch (do not update it directly); an {@link IllegalStateException} when none is kept. */
    public DistinctCountSketch distinctCountSketch() {
        return distinctSketch();
    }

    // ------------------------------------------------------------------ bytes

    /** Compact binary form: counters, moments and the sketches' own compact serialisations. */
    public byte[] toBytes() {
        var bytes = new ByteArrayOutputStream(256);
        try (var out = new DataOutputStream(bytes)) {
            write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeByte(hll == null ? VERSION_NO_DISTINCT : VERSION);
        out.writeUTF(name);
        out.writeByte(kind.ordinal());
        out.writeLong(count);
        out.writeLong(nulls);
        out.writeLong(nans);
        out.writeLong(infinities);
        out.writeLong(n);
        out.writeDouble(min);
        out.writeDouble(max);
        out.writeDouble(mean);
        out.writeDouble(m2);
        if (hll != null) {
            hll.write(out);
        }
        if (kind == Kind.NUMERIC) {
            kll.write(out);
        } else {
            items.write(out);
        }
    }

    /** Reads a profile written by {@link #toBytes()}; rejects anything else with an {@link IllegalArgumentException}. */
    public static ColumnProfile fromBytes(byte[] bytes) {
        Checks.notNull(bytes, "bytes");
        try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return read(in);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("not a column profile: " + e.getMessage(), e);
        }
    }

    static ColumnProfile read(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IllegalArgumentException("not a column profile (bad magic number)");
        }
        byte version = in.readByte();
        if (version != VERSION && version != VERSION_NO_DISTINCT) {
            throw new IllegalArgumentException("unsupported column profile version " + version);
        }
        String name = in.readUTF();
        int kindOrdinal = in.readByte();
        if (kindOrdinal < 0 || kindOrdinal >= Kind.values().length) {
            throw new IllegalArgumentException("column profile '" + name + "' has an unknown kind " + kindOrdinal);
        }
        Kind kind = Kind.values()[kindOrdinal];
        long count = in.readLong();
        long nulls = in.readLong();
        long nans = in.readLong();
        long infinities = in.readLong();
        long n = in.readLong();
        double min = in.readDouble();
        double max = in.readDouble();
        double mean = in.readDouble();
        double m2 = in.readDouble();
        if (version == VERSION_NO_DISTINCT && kind != Kind.NUMERIC) {
            throw new IllegalArgumentException("column profile '" + name + "' is categorical without a distinct count");
        }
        DistinctCountSketch hll = version == VERSION_NO_DISTINCT ? null : DistinctCountSketch.read(in);
        ColumnProfile p = kind == Kind.NUMERIC
                ? new ColumnProfile(name, kind, QuantileSketch.read(in), hll, null)
                : new ColumnProfile(name, kind, null, hll, FrequentItemsSketch.read(in));
        p.count = count;
        p.nulls = nulls;
        p.nans = nans;
        p.infinities = infinities;
        p.n = n;
        p.min = min;
        p.max = max;
        p.mean = mean;
        p.m2 = m2;
        return p;
    }

    @Override
    public String toString() {
        return "ColumnProfile[" + name + ", " + kind + ", count=" + count + ", valid=" + n + "]";
    }
}

package dev.launchpad.stats.sketch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A KLL quantile sketch (Karnin, Lang and Liberty 2016): a stack of compactors, level h holding items
 * of weight 2^h, with capacities shrinking by 2/3 per level below the top. When the sketch is full the
 * lowest over-full level is sorted and every other item (random offset) moves up a level, which keeps
 * the total weight exact and the rank error about {@link #normalizedRankError()} of n.
 * Exact (no compaction at all) until more than about k items have been added. Merging concatenates
 * levels and compacts, so merges are associative and commutative within the error bound.
 */
public final class QuantileSketch {
    /** Default accuracy parameter k. */
    public static final int DEFAULT_K = 200;
    private static final double C = 2.0 / 3.0;
    private static final int MIN_CAPACITY = 2;

    private final int k;
    private long n;
    private double min = Double.NaN;
    private double max = Double.NaN;
    private double[][] levels = new double[1][];
    private int[] sizes = new int[1];
    private int retained;
    private int maxRetained;
    // capacity of each level for the current number of levels (recomputed when a level is added)
    private int[] capacities;
    private double[] scratch = new double[0];
    // whether each level's items are in order (levels that sample, and the one above them, are not)
    private boolean[] sorted = {true};
    private final SplittableRandom random;
    // lazily built sorted view
    private double[] viewItems;
    private long[] viewCumWeights;

    /** An empty sketch with accuracy parameter {@code k} (≥ 8). */
    public QuantileSketch(int k) {
        if (k < 8 || k > 65_535) {
            throw new IllegalArgumentException("k must be in [8, 65535], got " + k);
        }
        this.k = k;
        this.random = new SplittableRandom(0x5EED_1234L ^ k);
        levels[0] = new double[capacity(0, 1)];
        capacities = new int[] {capacity(0, 1)};
        maxRetained = capacities[0];
    }

    public QuantileSketch() {
        this(DEFAULT_K);
    }

    private int capacity(int level, int numLevels) {
        int depth = numLevels - level - 1;
        return Math.max(MIN_CAPACITY, (int) Math.ceil(k * Math.pow(C, depth)) + 1);
    }

    /** Adds one value; NaN is rejected. */
    public void update(double v) {
        extend(v);
        n++;
        if (sizes[0] == levels[0].length) {
            levels[0] = Arrays.copyOf(levels[0], Math.max(8, levels[0].length * 2));
        }
        levels[0][sizes[0]++] = v;
        retained++;
        viewItems = null;
        if (retained >= maxRetained) {
            compress();
        }
    }

    /**
     * Adds {@code values[from, to)} (NaN is rejected) as one batch. While the sketch is small (below 2^14 values)
     * the batch is appended to the lowest level and compacted together, several times cheaper per value than one
     * at a time for batches of tens of values, with the same error guarantee (a larger compaction is still one
     * compaction). Once the bottom levels sample (see
     * {@link #compact}), each run of 2^h values of the batch gives level h one of its values, drawn uniformly —
     * what pairing through those h levels would keep, without passing every value through each of them; what is
     * left of the batch (all of it when it is shorter than 2^h) goes the same way in runs of the largest power of
     * two that fits.
     */
    public void update(double[] values, int from, int to) {
        if (to <= from) {
            return;
        }
        double lo = values[from];
        double hi = lo;
        for (int i = from; i < to; i++) {
            lo = Math.min(lo, values[i]); // a NaN stays NaN
            hi = Math.max(hi, values[i]);
        }
        update(values, from, to, lo, hi);
    }

    /**
     * As {@link #update(double[], int, int)}, for a caller that already knows the batch's least and greatest values
     * ({@code min} and {@code max}, ordering -0.0 below 0.0 as {@link Math#min} does) from a pass of its own: the
     * sketch then reads only the values it keeps, which for a large sketch is a small sample of the batch. A NaN or
     * reversed range is rejected, but the values are not checked against it (that would be the pass this saves): a
     * wrong range, or a NaN among the values, makes a wrong sketch.
     */
    public void update(double[] values, int from, int to, double min, double max) {
        int count = to - from;
        if (count <= 0) {
            return;
        }
        if (Double.isNaN(min) || Double.isNaN(max)) {
            throw new IllegalArgumentException("a quantile sketch cannot take NaN");
        }
        if (Double.compare(min, max) > 0) {
            throw new IllegalArgumentException("a batch's least value " + min + " is above its greatest " + max);
        }
        extend(min);
        extend(max);
        n += count;
        viewItems = null;
        int h = 0;
        while (h + 1 < levels.length && h < 20 && n >= SAMPLER_FROM << h) {
            h++; // levels 0 .. h-1 sample
        }
        // runs of 2^b values give level b one value each, b as high as both h and what is left of the batch allow: a
        // batch shorter than 2^h (a long stream, a short chunk) lands as high as it can rather than at level 0, from
        // where every value would be paired up through each sampling level in turn; a small sketch (h = 0) takes
        // every value at level 0
        while (count > 0) {
            int b = Math.min(h, 31 - Integer.numberOfLeadingZeros(count));
            int group = 1 << b;
            int groups = count >>> b;
            if (sizes[b] + groups > levels[b].length) {
                levels[b] = Arrays.copyOf(levels[b], Math.max(sizes[b] + groups, levels[b].length * 2));
            }
            double[] level = levels[b];
            int size = sizes[b];
            if (b == 0) {
                System.arraycopy(values, from, level, size, groups);
                size += groups;
            } else {
                for (int i = 0, at = from; i < groups; i++, at += group) {
                    level[size++] = values[at + random.nextInt(group)];
                }
            }
            sizes[b] = size;
            if (b > 0) {
                sorted[b] = false; // (level 0 is sorted whenever it compacts without sampling)
            }
            retained += groups;
            from += groups << b;
            count -= groups << b;
        }
        while (retained >= maxRetained) {
            compress();
        }
    }

    /**
     * Widens [min, max] to {@code v} (NaN until the first value), with -0.0 below 0.0 as in {@link Math#min}; NaN is
     * rejected.
     */
    private void extend(double v) {
        if (Double.isNaN(v)) {
            throw new IllegalArgumentException("a quantile sketch cannot take NaN");
        }
        if (Double.isNaN(min)) {
            min = v;
            max = v;
        } else {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
    }

    private void grow() {
        int h = levels.length;
        levels = Arrays.copyOf(levels, h + 1);
        sizes = Arrays.copyOf(sizes, h + 1);
        levels[h] = new double[8];
        sorted = Arrays.copyOf(sorted, h + 1);
        sorted[h] = true;
        capacities = new int[h + 1];
        int total = 0;
        for (int i = 0; i <= h; i++) {
            capacities[i] = capacity(i, h + 1);
            total += capacities[i];
        }
        maxRetained = total;
    }

    private void compress() {
        for (int h = 0; h < levels.length; h++) {
            if (sizes[h] >= capacities[h]) {
                if (h + 1 >= levels.length) {
                    grow();
                }
                compact(h);
                if (retained < maxRetained) {
                    break;
                }
            }
        }
    }

    /** Values added before the first level pairs items as they arrive; level h does from 2^h times as many. */
    private static final long SAMPLER_FROM = 1 << 14;

    /**
     * Promotes every other item of level h (random offset) into level h + 1; an odd item stays. The bottom levels
     * of a large sketch pair items as they arrived — level h once the sketch has seen 2^14·2^h values — which is
     * random sampling of items of weight 2^h (the sampler at the bottom of KLL): the sampled weight stays below
     * n / 2^14, which adds a rank error of about 0.28 % of n (one standard deviation; about 0.7 % at 99 %) at
     * every size; the lowest level that does not sample sorts before it compacts, and the levels above it
     * are kept sorted by merging what comes up — so a value is sorted about once, and large streams mostly not.
     */
    private void compact(int h) {
        double[] items = levels[h];
        int size = sizes[h];
        boolean sampling = h < 20 && n >= SAMPLER_FROM << h;
        if (!sampling && (h == 0 || !sorted[h])) {
            Arrays.sort(items, 0, size);
        }
        int keepOdd = size & 1;
        int pairs = size >>> 1;
        int offset = random.nextBoolean() ? 1 : 0;
        int up = h + 1;
        if (sampling || !sorted[up]) {
            // arrival order (or an unsorted level above): append; the level above sorts when it compacts
            if (sizes[up] + pairs > levels[up].length) {
                levels[up] = Arrays.copyOf(levels[up], Math.max(sizes[up] + pairs, levels[up].length * 2));
            }
            // each pair keeps one of its two items by its own coin: one coin for all pairs would keep only the
            // odd or only the even arrivals, which is biased whenever values alternate with arrival order
            long coins = 0;
            for (int i = 0; i < pairs; i++) {
                if (!sampling) {
                    levels[up][sizes[up]++] = items[2 * i + offset];
                    continue;
                }
                if ((i & 63) == 0) {
                    coins = random.nextLong();
                }
                levels[up][sizes[up]++] = items[2 * i + (int) ((coins >>> (i & 63)) & 1)];
            }
            sorted[up] = sorted[up] && pairs == 0;
            double last = keepOdd == 1 ? items[size - 1] : 0;
            sizes[h] = keepOdd;
            items[0] = last;
            sorted[h] = true;
            retained -= pairs;
            return;
        }
        int have = sizes[up];
        int total = have + pairs;
        if (scratch.length < total) {
            scratch = new double[Math.max(total, scratch.length * 2)];
        }
        double[] target = levels[up];
        int i = 0;
        int j = 0;
        int o = 0;
        while (i < have && j < pairs) {
            double a = target[i];
            double b = items[2 * j + offset];
            if (a <= b) {
                scratch[o++] = a;
                i++;
            } else {
                scratch[o++] = b;
                j++;
            }
        }
        while (i < have) {
            scratch[o++] = target[i++];
        }
        while (j < pairs) {
            scratch[o++] = items[2 * j++ + offset];
        }
        if (target.length < total) {
            target = new double[Math.max(total, target.length * 2)];
            levels[up] = target;
        }
        System.arraycopy(scratch, 0, target, 0, total);
        sizes[up] = total;
        double oddItem = keepOdd == 1 ? items[size - 1] : 0;
        sizes[h] = 0;
        if (keepOdd == 1) {
            items[0] = oddItem;
            sizes[h] = 1;
        }
        sorted[h] = true;
        retained -= pairs;
    }

    /** Folds {@code other} into this sketch (other is unchanged); k must match. */
    public void merge(QuantileSketch other) {
        if (other.k != k) {
            throw new IllegalArgumentException("cannot merge quantile sketches of k " + other.k + " and " + k);
        }
        if (other.n == 0) {
            return;
        }
        while (levels.length < other.levels.length) {
            grow();
        }
        for (int h = 0; h < other.levels.length; h++) {
            int add = other.sizes[h];
            if (add == 0) {
                continue;
            }
            if (sizes[h] + add > levels[h].length) {
                levels[h] = Arrays.copyOf(levels[h], Math.max(sizes[h] + add, levels[h].length * 2));
            }
            System.arraycopy(other.levels[h], 0, levels[h], sizes[h], add);
            sizes[h] += add;
            retained += add;
        }
        for (int h = 1; h < levels.length; h++) {
            Arrays.sort(levels[h], 0, sizes[h]); // every level above the first sorted again
        }
        if (n == 0) {
            min = other.min;
            max = other.max;
        } else {
            min = Math.min(min, other.min);
            max = Math.max(max, other.max);
        }
        Arrays.fill(sorted, 1, sorted.length, true);
        n += other.n;
        viewItems = null;
        while (retained >= maxRetained) {
            compress();
        }
    }

    /** A deep copy. */
    public QuantileSketch copy() {
        var c = new QuantileSketch(k);
        c.merge(this);
        return c;
    }

    public int k() {
        return k;
    }

    /** Number of values added. */
    public long n() {
        return n;
    }

    public boolean isEmpty() {
        return n == 0;
    }

    /** Items currently kept. */
    public int retained() {
        return retained;
    }

    /** Whether compaction has happened (answers are approximate); false means every value is kept. */
    public boolean isEstimationMode() {
        return levels.length > 1;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /**
     * The normalised rank error for PMF/CDF (double-sided) queries at 99 % confidence: 2.446 / k^0.9433,
     * Apache DataSketches' empirical formula for KLL with these capacities (≈ 0.0165 at k = 200); 0 while exact.
     * The tests check that this sketch stays within it.
     */
    public double normalizedRankError() {
        return isEstimationMode() ? 2.446 / Math.pow(k, 0.9433) : 0.0;
    }

    private void buildView() {
        if (viewItems != null) {
            return;
        }
        double[] items = new double[retained];
        long[] weights = new long[retained];
        int j = 0;
        for (int h = 0; h < levels.length; h++) {
            for (int i = 0; i < sizes[h]; i++) {
                items[j] = levels[h][i];
                weights[j++] = 1L << h;
            }
        }
        // sort items with their weights
        Integer[] order = new Integer[retained];
        for (int i = 0; i < retained; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(items[a], items[b]));
        double[] sorted = new double[retained];
        long[] cum = new long[retained];
        long acc = 0;
        for (int i = 0; i < retained; i++) {
            sorted[i] = items[order[i]];
            acc += weights[order[i]];
            cum[i] = acc;
        }
        viewItems = sorted;
        viewCumWeights = cum;
    }

    /** Fraction of values ≤ x ({@code inclusive}) or &lt; x (exclusive); NaN when empty. */
    public double rank(double x, boolean inclusive) {
        if (n == 0) {
            return Double.NaN;
        }
        buildView();
        int idx = inclusive ? upperBound(viewItems, x) : lowerBound(viewItems, x);
        return idx == 0 ? 0.0 : (double) viewCumWeights[idx - 1] / n;
    }

    /** Masses between consecutive split points (ascending): {@code splits.length + 1} fractions summing to 1. */
    public double[] pmf(double[] splits, boolean inclusive) {
        double[] out = new double[splits.length + 1];
        double prev = 0;
        for (int i = 0; i < splits.length; i++) {
            if (i > 0 && !(splits[i] > splits[i - 1])) {
                throw new IllegalArgumentException("split points must be strictly increasing");
            }
            double r = rank(splits[i], inclusive);
            out[i] = r - prev;
            prev = r;
        }
        out[splits.length] = 1.0 - prev;
        return out;
    }

    /** The smallest retained value whose rank (inclusive) is ≥ q; the exact min and max at 0 and 1. */
    public double quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
        }
        if (n == 0) {
            return Double.NaN;
        }
        if (q == 0) {
            return min;
        }
        if (q == 1) {
            return max;
        }
        buildView();
        long target = (long) Math.ceil(q * n);
        int lo = 0;
        int hi = viewCumWeights.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (viewCumWeights[mid] < target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return viewItems[lo];
    }

    /** The distinct retained values, ascending (all distinct values while the sketch is exact). */
    public double[] retainedValues() {
        buildView();
        double[] out = new double[viewItems.length];
        int d = 0;
        for (double v : viewItems) {
            if (d == 0 || v != out[d - 1]) {
                out[d++] = v;
            }
        }
        return Arrays.copyOf(out, d);
    }

    private static int lowerBound(double[] a, double key) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int upperBound(double[] a, double key) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Writes k, n, min, max and the retained items level by level. */
    public void write(DataOutputStream out) throws IOException {
        out.writeShort(k);
        out.writeLong(n);
        out.writeDouble(min);
        out.writeDouble(max);
        out.writeByte(levels.length);
        for (int h = 0; h < levels.length; h++) {
            out.writeInt(sizes[h]);
            for (int i = 0; i < sizes[h]; i++) {
                out.writeDouble(levels[h][i]);
            }
        }
    }

    /** Reads a sketch written by {@link #write}. */
    public static QuantileSketch read(DataInputStream in) throws IOException {
        int k = in.readUnsignedShort();
        var s = new QuantileSketch(k);
        long n = in.readLong();
        double min = in.readDouble();
        double max = in.readDouble();
        int numLevels = in.readUnsignedByte();
        if (numLevels < 1 || numLevels > 62) {
            throw new IllegalArgumentException("corrupt quantile sketch (" + numLevels + " levels)");
        }
        while (s.levels.length < numLevels) {
            s.grow();
        }
        long weight = 0;
        for (int h = 0; h < numLevels; h++) {
            int size = in.readInt();
            if (size < 0 || size > 16 * (k + 8) || size > in.available() / Double.BYTES) {
                throw new IllegalArgumentException("corrupt quantile sketch (level " + h + " of " + size + " items)");
            }
            s.levels[h] = new double[Math.max(8, size)];
            for (int i = 0; i < size; i++) {
                s.levels[h][i] = in.readDouble();
            }
            s.sizes[h] = size;
            if (h > 0) {
                Arrays.sort(s.levels[h], 0, size); // kept sorted (sketches written by older versions may not be)
            }
            s.retained += size;
            weight += (long) size << h;
        }
        if (weight != n) {
            throw new IllegalArgumentException("corrupt quantile sketch (weights " + weight + " != n " + n + ")");
        }
        if (n > 0 && !(min <= max)) {
            throw new IllegalArgumentException("corrupt quantile sketch (range " + min + " .. " + max + ")");
        }
        s.n = n;
        s.min = min;
        s.max = max;
        return s;
    }
}

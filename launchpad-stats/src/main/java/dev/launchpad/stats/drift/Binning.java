package dev.launchpad.stats.drift;

import java.util.Arrays;

/**
 * Histogram helpers that reproduce numpy exactly: {@code np.histogram_bin_edges(x, bins="sturges")}
 * and {@code np.histogram(x, edges)} (bins closed on the left, the last one on both sides).
 * Exactness matters because drift distances of binned data are compared with Evidently's.
 */
public final class Binning {
    private Binning() {
    }

    /** log2 that is exact for powers of two (as numpy's is). */
    static double log2(long n) {
        if (n > 0 && (n & (n - 1)) == 0) {
            return 63 - Long.numberOfLeadingZeros(n);
        }
        return Math.log(n) / Math.log(2.0);
    }

    /**
     * Sturges bin edges over {@code [min, max]} for {@code n} values: {@code ceil(log2 n + 1)} equal-width
     * bins, as numpy computes them (a zero range becomes {@code [min - 0.5, max + 0.5]} with one bin).
     */
    public static double[] sturgesEdges(double min, double max, long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("Sturges binning needs at least one value, got n=" + n);
        }
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
            throw new IllegalArgumentException("Sturges binning needs a finite range, got [" + min + ", " + max + "]");
        }
        double first = min;
        double last = max;
        double ptp = max - min;
        double width = ptp / (log2(n) + 1.0);
        int bins = width > 0 ? (int) Math.ceil(ptp / width) : 1;
        if (first == last) {
            first -= 0.5;
            last += 0.5;
        }
        return linspace(first, last, bins + 1);
    }

    /** {@code np.linspace(start, stop, num)} with the endpoint. */
    static double[] linspace(double start, double stop, int num) {
        double[] out = new double[num];
        int div = num - 1;
        double step = (stop - start) / div;
        for (int i = 0; i < num; i++) {
            out[i] = i * step + start;
        }
        out[num - 1] = stop;
        return out;
    }

    /**
     * Counts of sorted values per bin: bin i holds {@code edges[i] <= x < edges[i+1]}, the last bin also
     * {@code x == edges[last]}; values outside the edges are not counted.
     */
    public static long[] histogramSorted(double[] sorted, double[] edges) {
        int nb = edges.length - 1;
        long[] counts = new long[nb];
        int prev = lowerBound(sorted, edges[0]);
        for (int i = 0; i < nb; i++) {
            int next = i == nb - 1 ? upperBound(sorted, edges[nb]) : lowerBound(sorted, edges[i + 1]);
            counts[i] = next - prev;
            prev = next;
        }
        return counts;
    }

    /** First index whose value is ≥ key (numpy searchsorted side='left'). */
    static int lowerBound(double[] a, double key) {
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

    /** First index whose value is &gt; key (numpy searchsorted side='right'). */
    static int upperBound(double[] a, double key) {
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

    /** Counts divided by {@code total}. */
    public static double[] fractions(long[] counts, double total) {
        double[] out = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            out[i] = counts[i] / total;
        }
        return out;
    }

    /**
     * Evidently's fill of empty bins (so that logarithms stay finite): zeros become 1e-4, or the
     * smallest non-zero fraction divided by 1e6 when that fraction is itself ≤ 1e-4. Returns a copy.
     */
    public static double[] fillZeros(double[] fractions) {
        double minNonZero = Double.POSITIVE_INFINITY;
        for (double f : fractions) {
            if (f != 0 && f < minNonZero) {
                minNonZero = f;
            }
        }
        double[] out = Arrays.copyOf(fractions, fractions.length);
        if (minNonZero == Double.POSITIVE_INFINITY) {
            return out;
        }
        double fill = minNonZero <= 1e-4 ? minNonZero / 1e6 : 1e-4;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0) {
                out[i] = fill;
            }
        }
        return out;
    }

    /** Number of distinct values of a sorted array. */
    static int distinctSorted(double[] sorted) {
        if (sorted.length == 0) {
            return 0;
        }
        int d = 1;
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] != sorted[i - 1]) {
                d++;
            }
        }
        return d;
    }

    /** Number of distinct values in the union of two sorted arrays, stopping early once it exceeds {@code cap}. */
    static int distinctUnionSorted(double[] a, double[] b, int cap) {
        int i = 0;
        int j = 0;
        int d = 0;
        double last = Double.NaN;
        boolean any = false;
        while (i < a.length || j < b.length) {
            double v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
            if (!any || v != last) {
                d++;
                any = true;
                last = v;
                if (d > cap) {
                    return d;
                }
            }
        }
        return d;
    }

    /** Distinct values of the union of two sorted arrays, ascending. */
    static double[] unionKeys(double[] a, double[] b) {
        double[] keys = new double[distinctSorted(a) + distinctSorted(b)];
        int n = 0;
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            double v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
            if (n == 0 || v != keys[n - 1]) {
                keys[n++] = v;
            }
        }
        return Arrays.copyOf(keys, n);
    }

    /** For each key (ascending, containing every value), how many sorted values equal it. */
    static long[] countKeys(double[] sorted, double[] keys) {
        long[] counts = new long[keys.length];
        int k = 0;
        for (double v : sorted) {
            while (keys[k] != v) {
                k++;
            }
            counts[k]++;
        }
        return counts;
    }
}

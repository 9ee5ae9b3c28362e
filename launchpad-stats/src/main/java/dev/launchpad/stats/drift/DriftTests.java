package dev.launchpad.stats.drift;

import java.util.Arrays;
import org.apache.commons.statistics.distribution.ChiSquaredDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;

/**
 * The drift tests as plain functions, each reproducing the scipy routine that Evidently calls
 * (names in the method docs). Numeric inputs are finite values in any order (the {@code *Sorted}
 * variants skip the sort); categorical inputs are aligned count or frequency vectors.
 * Used by {@link DriftDetector}, usable on their own.
 */
public final class DriftTests {
    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);
    private static final KolmogorovSmirnovTest KS = KolmogorovSmirnovTest.withDefaults();

    private DriftTests() {
    }

    // ---------------------------------------------------------------- numeric, two samples

    /**
     * Two-sided two-sample Kolmogorov–Smirnov test ({@code scipy.stats.ks_2samp}, method auto:
     * exact p-value when both samples have ≤ 10 000 values, else the asymptotic one). Statistic D.
     */
    public static TestOutcome ks(double[] reference, double[] current) {
        check(reference, "reference");
        check(current, "current");
        var r = KS.test(reference, current);
        return new TestOutcome(r.getStatistic(), Math.min(1.0, Math.max(0.0, r.getPValue())));
    }

    /** The Wasserstein-1 distance between the two empirical distributions ({@code scipy.stats.wasserstein_distance}). */
    public static double wassersteinDistance(double[] u, double[] v) {
        return cdfDistanceSorted(sortedCopy(u, "u"), sortedCopy(v, "v"), 1);
    }

    /**
     * Evidently's normed Wasserstein distance: {@link #wassersteinDistance} divided by
     * {@code max(std(reference), 0.001)} (population standard deviation).
     */
    public static TestOutcome wasserstein(double[] reference, double[] current) {
        return wassersteinSorted(sortedCopy(reference, "reference"), sortedCopy(current, "current"));
    }

    static TestOutcome wassersteinSorted(double[] ref, double[] cur) {
        double norm = Math.max(populationStd(ref), 0.001);
        return TestOutcome.distance(cdfDistanceSorted(ref, cur, 1) / norm);
    }

    /** Energy distance between the two empirical distributions ({@code scipy.stats.energy_distance}). */
    public static TestOutcome energy(double[] reference, double[] current) {
        return TestOutcome.distance(energySorted(sortedCopy(reference, "reference"), sortedCopy(current, "current")));
    }

    static double energySorted(double[] ref, double[] cur) {
        return Math.sqrt(2.0) * cdfDistanceSorted(ref, cur, 2);
    }

    /**
     * The L^p distance between the two empirical CDFs, p = 1 or 2 (scipy's {@code _cdf_distance}),
     * computed in one merge pass over the sorted samples.
     */
    static double cdfDistanceSorted(double[] u, double[] v, int p) {
        int nu = u.length;
        int nv = v.length;
        int i = 0;
        int j = 0;
        double sum = 0;
        double comp = 0; // Kahan compensation: the sum has up to n terms
        double prev = Math.min(u[0], v[0]);
        while (i < nu || j < nv) {
            double x = j >= nv || (i < nu && u[i] <= v[j]) ? u[i] : v[j];
            double delta = x - prev;
            if (delta > 0) {
                double diff = Math.abs((double) i / nu - (double) j / nv);
                double term = (p == 1 ? diff : diff * diff) * delta - comp;
                double t = sum + term;
                comp = (t - sum) - term;
                sum = t;
                prev = x;
            }
            if (j >= nv || (i < nu && u[i] <= v[j])) {
                i++;
            } else {
                j++;
            }
        }
        return p == 1 ? sum : Math.sqrt(sum);
    }

    /**
     * k-sample Anderson–Darling test for two samples ({@code scipy.stats.anderson_ksamp}, midrank
     * variant). Statistic: the normalised A2; p-value from scipy's interpolation of Scholz and
     * Stephens' table, capped to [0.001, 0.25] as scipy does.
     */
    public static TestOutcome anderson(double[] reference, double[] current) {
        return andersonSorted(sortedCopy(reference, "reference"), sortedCopy(current, "current"));
    }

    static TestOutcome andersonSorted(double[] a, double[] b) {
        int na = a.length;
        int nb = b.length;
        int bigN = na + nb;
        if (Binning.distinctUnionSorted(a, b, 1) < 2) {
            throw new IllegalArgumentException("Anderson-Darling needs more than one distinct value");
        }
        double n = bigN;
        double sumA = 0;
        double sumB = 0;
        int i = 0;
        int j = 0;
        int below = 0; // number of pooled values strictly below the current distinct value
        while (i < na || j < nb) {
            double z = j >= nb || (i < na && a[i] <= b[j]) ? a[i] : b[j];
            int fa = 0;
            while (i + fa < na && a[i + fa] == z) {
                fa++;
            }
            int fb = 0;
            while (j + fb < nb && b[j + fb] == z) {
                fb++;
            }
            int lj = fa + fb;
            double bj = below + lj / 2.0;
            double denom = bj * (n - bj) - n * lj / 4.0;
            double mA = i + fa - fa / 2.0;
            double mB = j + fb - fb / 2.0;
            double dA = n * mA - bj * na;
            double dB = n * mB - bj * nb;
            sumA += lj / n * dA * dA / denom;
            sumB += lj / n * dB * dB / denom;
            i += fa;
            j += fb;
            below += lj;
        }
        double a2kn = (sumA / na + sumB / nb) * (n - 1.0) / n;

        int k = 2;
        double bigH = 1.0 / na + 1.0 / nb;
        // hs_cs = cumsum(1 / [N-1, N-2, ..., 2]); h = hs_cs[-1] + 1; g = sum(hs_cs / [2, ..., N-1])
        double cum = 0;
        double g = 0;
        for (int idx = 0; idx < bigN - 2; idx++) {
            cum += 1.0 / (bigN - 1 - idx);
            g += cum / (2 + idx);
        }
        double h = cum + 1;
        double aa = (4 * g - 6) * (k - 1) + (10 - 6 * g) * bigH;
        double bb = (2 * g - 4) * k * k + 8 * h * k + (2 * g - 14 * h - 4) * bigH - 8 * h + 4 * g - 6;
        double cc = (6 * h + 2 * g - 2) * k * k + (4 * h - 4 * g + 6) * k + (2 * h - 6) * bigH + 4 * h;
        double dd = (2 * h + 6) * k * k - 4 * h * k;
        double sigmaSq = (aa * n * n * n + bb * n * n + cc * n + dd) / ((n - 1.0) * (n - 2.0) * (n - 3.0));
        int m = k - 1;
        double a2 = (a2kn - m) / Math.sqrt(sigmaSq);

        double[] b0 = {0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085};
        double[] b1 = {-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615};
        double[] b2 = {-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154};
        double[] sig = {0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001};
        double[] critical = new double[7];
        double[] logSig = new double[7];
        for (int c = 0; c < 7; c++) {
            critical[c] = b0[c] + b1[c] / Math.sqrt(m) + b2[c] / m;
            logSig[c] = Math.log(sig[c]);
        }
        double p;
        if (a2 < critical[0]) {
            p = 0.25;
        } else if (a2 > critical[6]) {
            p = 0.001;
        } else {
            double[] coef = Numerics.polyfit2(critical, logSig);
            p = Math.exp((coef[0] * a2 + coef[1]) * a2 + coef[2]);
        }
        return new TestOutcome(a2, p);
    }

    /**
     * Two-sample Cramér–von Mises test ({@code scipy.stats.cramervonmises_2samp}) with the asymptotic
     * p-value (scipy uses the exact distribution only when both samples have ≤ 20 values). Statistic T.
     */
    public static TestOutcome cramerVonMises(double[] reference, double[] current) {
        return cramerVonMisesSorted(sortedCopy(reference, "reference"), sortedCopy(current, "current"));
    }

    static TestOutcome cramerVonMisesSorted(double[] x, double[] y) {
        int nx = x.length;
        int ny = y.length;
        if (nx < 2 || ny < 2) {
            throw new IllegalArgumentException("Cramér-von Mises needs at least two values in each sample");
        }
        double u = 0;
        double ux = 0;
        double uy = 0;
        int i = 0;
        int j = 0;
        long pos = 0; // values already ranked
        while (i < nx || j < ny) {
            double z = j >= ny || (i < nx && x[i] <= y[j]) ? x[i] : y[j];
            int fx = 0;
            while (i + fx < nx && x[i + fx] == z) {
                fx++;
            }
            int fy = 0;
            while (j + fy < ny && y[j + fy] == z) {
                fy++;
            }
            double rank = pos + (fx + fy + 1) / 2.0;
            for (int t = 0; t < fx; t++) {
                double d = rank - (i + t + 1);
                ux += d * d;
            }
            for (int t = 0; t < fy; t++) {
                double d = rank - (j + t + 1);
                uy += d * d;
            }
            i += fx;
            j += fy;
            pos += fx + fy;
        }
        u = nx * ux + ny * uy;
        double k = (double) nx * ny;
        double bigN = nx + ny;
        double t = u / (k * bigN) - (4 * k - 1) / (6 * bigN);
        double et = (1 + 1 / bigN) / 6;
        double vt = (bigN + 1) * (4 * k * bigN - 3 * ((double) nx * nx + (double) ny * ny) - 2 * k);
        vt = vt / (45 * bigN * bigN * 4 * k);
        double tn = 1.0 / 6 + (t - et) / Math.sqrt(45 * vt);
        double p = tn < 0.003 ? 1.0 : Math.max(0.0, 1.0 - Numerics.cdfCramerVonMisesInf(tn));
        return new TestOutcome(t, p);
    }

    // ---------------------------------------------------------------- categorical, aligned counts

    /**
     * Chi-square goodness of fit of current counts against the reference counts scaled to the current
     * total ({@code scipy.stats.chisquare(f_obs, f_exp)}, k - 1 degrees of freedom). A category absent
     * from the reference but present now gives an infinite statistic and p = 0; a single category p = 1.
     */
    public static TestOutcome chiSquare(long[] referenceCounts, long[] currentCounts) {
        checkCounts(referenceCounts, currentCounts);
        long nRef = sum(referenceCounts);
        long nCur = sum(currentCounts);
        double kNorm = (double) nCur / nRef;
        double stat = 0;
        for (int c = 0; c < referenceCounts.length; c++) {
            double expected = referenceCounts[c] * kNorm;
            double observed = currentCounts[c];
            double d = observed - expected;
            if (expected == 0) {
                if (observed != 0) {
                    stat = Double.POSITIVE_INFINITY;
                }
            } else {
                stat += d * d / expected;
            }
        }
        int df = referenceCounts.length - 1;
        if (df < 1) {
            return new TestOutcome(stat, 1.0);
        }
        double p = Double.isInfinite(stat) ? 0.0 : ChiSquaredDistribution.of(df).survivalProbability(stat);
        return new TestOutcome(stat, p);
    }

    /**
     * Two-proportion Z-test (Evidently's {@code z}): the first category against all others, pooled
     * variance, two-sided p-value. If both samples hold the same single category, p = 1.
     */
    public static TestOutcome zTest(long[] referenceCounts, long[] currentCounts) {
        checkCounts(referenceCounts, currentCounts);
        long n1 = sum(referenceCounts);
        long n2 = sum(currentCounts);
        int refNonZero = 0;
        int curNonZero = 0;
        int refOnly = -1;
        int curOnly = -1;
        for (int c = 0; c < referenceCounts.length; c++) {
            if (referenceCounts[c] > 0) {
                refNonZero++;
                refOnly = c;
            }
            if (currentCounts[c] > 0) {
                curNonZero++;
                curOnly = c;
            }
        }
        if (refNonZero == 1 && curNonZero == 1 && refOnly == curOnly) {
            return new TestOutcome(0.0, 1.0);
        }
        double p1 = (double) (n1 - referenceCounts[0]) / n1;
        double p2 = (double) (n2 - currentCounts[0]) / n2;
        double pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
        double z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
        double p = 2 * (1 - STANDARD_NORMAL.cumulativeProbability(Math.abs(z)));
        return new TestOutcome(z, p);
    }

    /**
     * Jensen–Shannon distance with natural logarithms ({@code scipy.spatial.distance.jensenshannon}):
     * both vectors are normalised to sum 1; the result is the square root of the divergence.
     */
    public static double jensenShannon(double[] p, double[] q) {
        checkFractions(p, q);
        double sp = sum(p);
        double sq = sum(q);
        double js = 0;
        for (int i = 0; i < p.length; i++) {
            double a = p[i] / sp;
            double b = q[i] / sq;
            double m = (a + b) / 2;
            js += relEntr(a, m) + relEntr(b, m);
        }
        return Math.sqrt(Math.max(0.0, js / 2));
    }

    /**
     * Kullback–Leibler divergence KL(p ‖ q) after normalising both ({@code scipy.stats.entropy(p, q)});
     * infinite when q is 0 where p is not.
     */
    public static double klDivergence(double[] p, double[] q) {
        checkFractions(p, q);
        double sp = sum(p);
        double sq = sum(q);
        double kl = 0;
        for (int i = 0; i < p.length; i++) {
            kl += relEntr(p[i] / sp, q[i] / sq);
        }
        return kl;
    }

    /** Population stability index: {@code sum((r - c) * ln(r / c))}; pass fractions with zeros already filled. */
    public static double psi(double[] reference, double[] current) {
        checkFractions(reference, current);
        double s = 0;
        for (int i = 0; i < reference.length; i++) {
            s += (reference[i] - current[i]) * Math.log(reference[i] / current[i]);
        }
        return s;
    }

    /** L-infinity distance (TFDV): the largest absolute difference of two frequency vectors. */
    public static double lInfinity(double[] reference, double[] current) {
        checkFractions(reference, current);
        double m = 0;
        for (int i = 0; i < reference.length; i++) {
            m = Math.max(m, Math.abs(reference[i] - current[i]));
        }
        return m;
    }

    /**
     * Hellinger distance of two discrete distributions given as aligned fractions:
     * {@code sqrt(1 - clip(sum(sqrt(p q)), 0, 1))}.
     */
    public static double hellinger(double[] p, double[] q) {
        checkFractions(p, q);
        double bc = 0;
        for (int i = 0; i < p.length; i++) {
            bc += Math.sqrt(p[i] * q[i]);
        }
        return Math.sqrt(1 - Math.min(1.0, Math.max(0.0, bc)));
    }

    /**
     * Evidently's Hellinger distance for numeric data: Sturges bins over the distinct values of both
     * samples, density histograms, Bhattacharyya coefficient scaled by the mean bin width.
     */
    static double hellingerNumericSorted(double[] ref, double[] cur) {
        double[] keys = Binning.unionKeys(ref, cur);
        double[] edges = Binning.sturgesEdges(keys[0], keys[keys.length - 1], keys.length);
        double[] h1 = density(Binning.histogramSorted(ref, edges), edges);
        double[] h2 = density(Binning.histogramSorted(cur, edges), edges);
        double binWidth = (edges[edges.length - 1] - edges[0]) / (edges.length - 1);
        double bc = 0;
        for (int i = 0; i < h1.length; i++) {
            bc += Math.sqrt(h1[i] * h2[i]) * binWidth;
        }
        return Math.sqrt(1 - Math.min(1.0, Math.max(0.0, bc)));
    }

    private static double[] density(long[] counts, double[] edges) {
        double total = 0;
        for (long c : counts) {
            total += c;
        }
        double[] out = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            out[i] = counts[i] / total / (edges[i + 1] - edges[i]);
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    /** {@code scipy.special.rel_entr}: x ln(x/y), 0 when x = 0, infinite when y = 0 &lt; x. */
    static double relEntr(double x, double y) {
        if (x == 0 && y >= 0) {
            return 0;
        }
        if (x > 0 && y > 0) {
            return x * Math.log(x / y);
        }
        return Double.POSITIVE_INFINITY;
    }

    static double populationStd(double[] values) {
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= values.length;
        double ss = 0;
        for (double v : values) {
            double d = v - mean;
            ss += d * d;
        }
        return Math.sqrt(ss / values.length);
    }

    static double[] sortedCopy(double[] values, String what) {
        check(values, what);
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static void check(double[] values, String what) {
        if (values == null) {
            throw new IllegalArgumentException(what + " sample must not be null");
        }
        if (values.length == 0) {
            throw new IllegalArgumentException(what + " sample must not be empty");
        }
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(what + " sample must hold finite values only, found " + v);
            }
        }
    }

    private static void checkCounts(long[] ref, long[] cur) {
        if (ref == null || cur == null) {
            throw new IllegalArgumentException("counts must not be null");
        }
        if (ref.length != cur.length || ref.length == 0) {
            throw new IllegalArgumentException("reference and current counts must be aligned and non-empty, got "
                    + ref.length + " and " + cur.length);
        }
        for (int i = 0; i < ref.length; i++) {
            if (ref[i] < 0 || cur[i] < 0) {
                throw new IllegalArgumentException("counts must not be negative (category " + i + ")");
            }
        }
        if (sum(ref) == 0 || sum(cur) == 0) {
            throw new IllegalArgumentException("reference and current counts must not be all zero");
        }
    }

    private static void checkFractions(double[] p, double[] q) {
        if (p == null || q == null) {
            throw new IllegalArgumentException("frequencies must not be null");
        }
        if (p.length != q.length || p.length == 0) {
            throw new IllegalArgumentException("reference and current frequencies must be aligned and non-empty, got "
                    + p.length + " and " + q.length);
        }
    }

    static long sum(long[] a) {
        long s = 0;
        for (long v : a) {
            s += v;
        }
        return s;
    }

    static double sum(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s;
    }
}

package dev.launchpad.stats.profile;

import dev.launchpad.stats.drift.Binning;
import dev.launchpad.stats.drift.ColumnDrift;
import dev.launchpad.stats.drift.DatasetDrift;
import dev.launchpad.stats.drift.DriftMethod;
import dev.launchpad.stats.drift.DriftTests;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Drift between two profiles, computed from the sketches alone (no raw data), so that drift can be
 * monitored on streams and at scale. Supported methods: {@link DriftMethod#KS} (numeric),
 * {@link DriftMethod#JENSEN_SHANNON}, {@link DriftMethod#PSI} and {@link DriftMethod#L_INFINITY}.
 *
 * <p><b>Error bounds</b> (each result's {@link Approximate#errorBound()}, an absolute bound on the
 * statistic that holds with the sketches' 99 % confidence; 0 while the sketches are exact):
 * <ul>
 *   <li>KS: |D̂ − D| ≤ ε_ref + ε_cur, ε being each KLL sketch's normalised rank error (about 0.0165 at k = 200).
 *       The p-value is the asymptotic Kolmogorov one (Stephens' correction) of max(0, D̂ − bound): conservative,
 *       so sketch error alone never signals drift, at the cost of missing shifts smaller than the bound.</li>
 *   <li>L-infinity: every bin's fraction is off by at most ε, so |L̂ − L| ≤ ε_ref + ε_cur; for categorical
 *       columns ε is the frequent-items sketch's maximum count error divided by the count (times the number
 *       of tracked values for the "other" bucket).</li>
 *   <li>Jensen–Shannon: the JS distance is a metric and JSD ≤ ln 2 · TV, so |ĴS − JS| ≤
 *       √(ln 2 · TV_ref) + √(ln 2 · TV_cur) with TV ≤ bins · ε / 2; loose, but guaranteed.</li>
 *   <li>PSI: no guaranteed bound (a log-ratio of small fractions is unbounded); reported as NaN. While both
 *       sketches are exact the result is Evidently's PSI; otherwise empty bins are filled with 1e-4. Sketches blur sparse tail bins, so PSI from profiles is the least accurate of
 *       the four (measured within max(0.06, 15 %) of the exact PSI in the tests); prefer Jensen–Shannon or L-infinity on profiles.</li>
 * </ul>
 * Binning follows the exact tests: Sturges bins over both ranges when the reference has more than 20
 * distinct values (HLL estimate; for a reference kept without one, its quantile sketch's distinct retained values, all
 * of them while it is exact and a lower bound after), one bin per retained value otherwise; categories are the tracked
 * frequent items plus one "other" bucket.
 */
public final class ProfileDrift {
    private ProfileDrift() {
    }

    /** A drift verdict from sketches, with an absolute error bound on its statistic (NaN when none is known). */
    public record Approximate(ColumnDrift drift, double errorBound) {
    }

    /**
     * Drift of every column of {@code reference} (which must be in {@code current}) with the default
     * method per kind, Jensen–Shannon (Evidently's choice for large references), and default thresholds.
     */
    public static DatasetDrift report(DatasetProfile reference, DatasetProfile current, double driftShare) {
        return report(reference, current, Map.of(), driftShare);
    }

    /** As {@link #report(DatasetProfile, DatasetProfile, double)} with per-column methods. */
    public static DatasetDrift report(DatasetProfile reference, DatasetProfile current,
                                      Map<String, DriftMethod> methods, double driftShare) {
        if (reference == null || current == null || methods == null) {
            throw new IllegalArgumentException("reference, current and methods must not be null");
        }
        List<ColumnDrift> out = new ArrayList<>();
        for (String name : reference.columns().keySet()) {
            ColumnProfile r = reference.column(name);
            if (!current.columns().containsKey(name)) {
                throw new IllegalArgumentException("column '" + name + "' is in the reference profile but not in the current one");
            }
            DriftMethod m = methods.getOrDefault(name, DriftMethod.JENSEN_SHANNON);
            out.add(column(r, current.column(name), m, m.defaultThreshold()).drift());
        }
        return DatasetDrift.of(out, driftShare);
    }

    /** Drift of one column from its two profiles with the given method and threshold. */
    public static Approximate column(ColumnProfile reference, ColumnProfile current, DriftMethod method,
                                     double threshold) {
        if (reference == null || current == null || method == null) {
            throw new IllegalArgumentException("reference, current and method must not be null");
        }
        String name = reference.name();
        if (reference.kind() != current.kind()) {
            throw new IllegalArgumentException("column '" + name + "' is " + reference.kind() + " in the reference profile but "
                    + current.kind() + " in the current one");
        }
        if (reference.validCount() == 0 || current.validCount() == 0) {
            throw new IllegalArgumentException("column '" + name + "': a profile has no present values");
        }
        boolean numeric = reference.kind() == ColumnProfile.Kind.NUMERIC;
        double statistic;
        double score;
        double bound;
        switch (method) {
            case KS -> {
                if (!numeric) {
                    throw new IllegalArgumentException("column '" + name + "': KS needs a numeric column");
                }
                statistic = approximateKs(reference, current);
                double en = (double) reference.validCount() * current.validCount()
                        / (reference.validCount() + current.validCount());
                bound = reference.rankError() + current.rankError();
                // conservative: the p-value of the smallest D the sketches allow, so sketch error alone never alarms
                score = kolmogorovSurvival(Math.max(0.0, statistic - bound), en);
            }
            case JENSEN_SHANNON, PSI, L_INFINITY -> {
                Histograms h = numeric ? numericHistograms(reference, current) : categoricalHistograms(reference, current);
                if (method == DriftMethod.JENSEN_SHANNON) {
                    statistic = DriftTests.jensenShannon(h.ref, h.cur);
                    double ln2 = Math.log(2);
                    bound = Math.sqrt(ln2 * Math.min(1.0, h.ref.length * h.refErr / 2))
                            + Math.sqrt(ln2 * Math.min(1.0, h.cur.length * h.curErr / 2));
                } else if (method == DriftMethod.PSI) {
                    boolean exact = h.refErr == 0 && h.curErr == 0;
                    statistic = exact ? DriftTests.psi(Binning.fillZeros(h.ref), Binning.fillZeros(h.cur))
                            : DriftTests.psi(floor(h.ref), floor(h.cur));
                    bound = h.refErr == 0 && h.curErr == 0 ? 0.0 : Double.NaN;
                } else {
                    statistic = DriftTests.lInfinity(h.ref, h.cur);
                    bound = h.refErr + h.curErr;
                }
                score = statistic;
            }
            default -> throw new IllegalArgumentException("column '" + name + "': method " + method.id()
                    + " is not available on profiles (use ks, jensenshannon, psi or linf)");
        }
        boolean drifted = method.rule().drifted(score, threshold);
        var drift = new ColumnDrift(name, numeric ? "numeric" : "categorical", method, statistic, score,
                method.scoreKind(), threshold, drifted, reference.validCount(), current.validCount());
        return new Approximate(drift, bound);
    }

    /** max |F_ref(x) − F_cur(x)| over every value either sketch retains. */
    static double approximateKs(ColumnProfile reference, ColumnProfile current) {
        double d = 0;
        var r = reference.quantileSketch();
        var c = current.quantileSketch();
        for (var sketch : List.of(r, c)) {
            for (double x : sketch.retainedValues()) {
                d = Math.max(d, Math.abs(r.rank(x, true) - c.rank(x, true)));
            }
        }
        return d;
    }

    /**
     * Kolmogorov's limiting survival function with Stephens' small-sample correction,
     * {@code Q((√n + 0.12 + 0.11/√n) d)}.
     */
    static double kolmogorovSurvival(double d, double effectiveN) {
        double sq = Math.sqrt(effectiveN);
        double lambda = (sq + 0.12 + 0.11 / sq) * d;
        if (lambda < 0.2) {
            return 1.0;
        }
        double sum = 0;
        double sign = 1;
        for (int k = 1; k <= 200; k++) {
            double term = sign * Math.exp(-2.0 * k * k * lambda * lambda);
            sum += term;
            if (Math.abs(term) < 1e-16) {
                break;
            }
            sign = -sign;
        }
        return Math.max(0.0, Math.min(1.0, 2 * sum));
    }

    /**
     * Empty bins become 1e-4 (Evidently's fill, without its "smallest fraction / 10⁶" case): a sketch
     * reports empty tail bins where the data has a few values, and a 10⁻¹⁰ fill would turn that into a
     * huge log-ratio.
     */
    private static double[] floor(double[] fractions) {
        double[] out = fractions.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] <= 0) {
                out[i] = 1e-4;
            }
        }
        return out;
    }

    private record Histograms(double[] ref, double[] cur, double refErr, double curErr) {
    }

    private static Histograms numericHistograms(ColumnProfile r, ColumnProfile c) {
        double[] splits;
        double distinct = r.hasDistinctCount() ? r.distinctEstimate() : r.quantileSketch().retainedValues().length;
        if (distinct > 20.5) {
            double[] edges = Binning.sturgesEdges(Math.min(r.min(), c.min()), Math.max(r.max(), c.max()),
                    r.validCount() + c.validCount());
            splits = java.util.Arrays.copyOfRange(edges, 1, edges.length - 1);
            double[] rp = r.quantileSketch().pmf(splits, false);
            double[] cp = c.quantileSketch().pmf(splits, false);
            return new Histograms(rp, cp, r.rankError(), c.rankError());
        }
        // one bin per distinct retained value: masses between consecutive values, inclusive on the right
        TreeSet<Double> keys = new TreeSet<>();
        for (ColumnProfile p : List.of(r, c)) {
            for (double v : p.quantileSketch().retainedValues()) {
                keys.add(v);
            }
        }
        double[] k = keys.stream().mapToDouble(Double::doubleValue).toArray();
        double[] inner = java.util.Arrays.copyOf(k, k.length - 1);
        return new Histograms(r.quantileSketch().pmf(inner, true), c.quantileSketch().pmf(inner, true),
                r.rankError(), c.rankError());
    }

    private static Histograms categoricalHistograms(ColumnProfile r, ColumnProfile c) {
        var rs0 = r.frequentItemsSketch();
        var cs0 = c.frequentItemsSketch();
        TreeSet<String> keys = new TreeSet<>();
        rs0.items().forEach(i -> keys.add(i.value()));
        cs0.items().forEach(i -> keys.add(i.value()));
        int size = keys.size();
        double[] rf = new double[size + 1];
        double[] cf = new double[size + 1];
        double nr = r.validCount();
        double nc = c.validCount();
        int i = 0;
        double rs = 0;
        double cs = 0;
        for (String key : keys) {
            rf[i] = rs0.lowerBound(key) / nr;
            cf[i] = cs0.lowerBound(key) / nc;
            rs += rf[i];
            cs += cf[i];
            i++;
        }
        rf[size] = Math.max(0.0, 1 - rs); // the "other" bucket
        cf[size] = Math.max(0.0, 1 - cs);
        if (rf[size] < 1e-12 && cf[size] < 1e-12) { // nothing untracked: no "other" bucket
            rf = java.util.Arrays.copyOf(rf, size);
            cf = java.util.Arrays.copyOf(cf, size);
        }
        double refErr = r.frequentItemsMaxError() * Math.max(1, size) / nr;
        double curErr = c.frequentItemsMaxError() * Math.max(1, size) / nc;
        return new Histograms(rf, cf, refErr, curErr);
    }
}

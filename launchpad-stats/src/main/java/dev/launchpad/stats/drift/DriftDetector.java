package dev.launchpad.stats.drift;

import dev.launchpad.stats.Column;
import dev.launchpad.stats.Dataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Computes drift between a reference and a current dataset, column by column, with Evidently's
 * automatic test choice and dataset-level rule. Missing values (NaN, ±∞, null) are dropped first.
 * Stateless and thread-safe.
 */
public final class DriftDetector {
    private DriftDetector() {
    }

    /** The drift report with {@link DriftOptions#defaults()}. */
    public static DatasetDrift report(Dataset reference, Dataset current) {
        return report(reference, current, DriftOptions.defaults());
    }

    /**
     * The drift report over every column of {@code reference}; each must exist in {@code current}
     * with the same type.
     */
    public static DatasetDrift report(Dataset reference, Dataset current, DriftOptions options) {
        if (reference == null || current == null || options == null) {
            throw new IllegalArgumentException("reference, current and options must not be null");
        }
        List<String> names = reference.names();
        for (String name : names) {
            if (!current.has(name)) {
                throw new IllegalArgumentException("column '" + name + "' is in the reference but not in the current data");
            }
        }
        List<ColumnDrift> results = new ArrayList<>(names.size());
        if (options.parallelism() == 1 || names.size() < 2) {
            for (String name : names) {
                results.add(column(reference.column(name), current.column(name), options));
            }
        } else {
            int threads = Math.min(options.parallelism(), names.size());
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "launchpad-drift");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<ColumnDrift>> futures = new ArrayList<>();
                for (String name : names) {
                    futures.add(pool.submit(() -> column(reference.column(name), current.column(name), options)));
                }
                for (Future<ColumnDrift> f : futures) {
                    results.add(f.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("drift report interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }
        return DatasetDrift.of(results, options.driftShare());
    }

    /** Drift of one column with default options. */
    public static ColumnDrift column(Column reference, Column current) {
        return column(reference, current, DriftOptions.defaults());
    }

    /** Drift of one column; both columns must be of the same type. The name is the reference's. */
    public static ColumnDrift column(Column reference, Column current, DriftOptions options) {
        if (reference == null || current == null) {
            throw new IllegalArgumentException("reference and current columns must not be null");
        }
        String name = reference.name();
        if (reference instanceof Column.Numeric r && current instanceof Column.Numeric c) {
            return numeric(name, sortedFinite(r, "reference"), sortedFinite(c, "current"), options);
        }
        if (reference instanceof Column.Categorical r && current instanceof Column.Categorical c) {
            return categorical(name, r.presentValues(), c.presentValues(), options);
        }
        throw new IllegalArgumentException("column '" + name + "' is " + kind(reference) + " in the reference but "
                + kind(current) + " in the current data");
    }

    /**
     * Evidently's default test: with ≤ 1000 reference values, KS for numeric columns with more than 5
     * distinct values, else chi-square (Z-test when ≤ 2 distinct values); with more, normed Wasserstein
     * for numeric columns with more than 5 distinct values, else Jensen–Shannon.
     *
     * @param numeric whether the column is numeric
     * @param referenceSize present reference values
     * @param distinctValues distinct present values of reference and current together
     */
    public static DriftMethod defaultMethod(boolean numeric, long referenceSize, int distinctValues) {
        if (referenceSize <= 1000) {
            if (numeric && distinctValues > 5) {
                return DriftMethod.KS;
            }
            return distinctValues > 2 ? DriftMethod.CHI_SQUARE : DriftMethod.Z;
        }
        return numeric && distinctValues > 5 ? DriftMethod.WASSERSTEIN : DriftMethod.JENSEN_SHANNON;
    }

    private static String kind(Column c) {
        return c instanceof Column.Numeric ? "numeric" : "categorical";
    }

    private static double[] sortedFinite(Column.Numeric column, String which) {
        double[] finite = column.finiteValues();
        double[] copy = finite == column.values() ? finite.clone() : finite;
        if (copy.length == 0) {
            throw new IllegalArgumentException("column '" + column.name() + "': the " + which
                    + " data has no finite values");
        }
        Arrays.sort(copy);
        return copy;
    }

    static ColumnDrift numeric(String name, double[] ref, double[] cur, DriftOptions options) {
        DriftMethod method = options.methodFor(name);
        if (method == null) {
            method = defaultMethod(true, ref.length, Binning.distinctUnionSorted(ref, cur, 5));
        }
        TestOutcome o = switch (method) {
            case KS -> DriftTests.ks(ref, cur);
            case WASSERSTEIN -> DriftTests.wassersteinSorted(ref, cur);
            case ENERGY_DISTANCE -> TestOutcome.distance(DriftTests.energySorted(ref, cur));
            case ANDERSON -> DriftTests.andersonSorted(ref, cur);
            case CRAMER_VON_MISES -> DriftTests.cramerVonMisesSorted(ref, cur);
            case HELLINGER -> TestOutcome.distance(DriftTests.hellingerNumericSorted(ref, cur));
            case CHI_SQUARE, Z -> {
                double[] keys = Binning.unionKeys(ref, cur);
                long[] rc = Binning.countKeys(ref, keys);
                long[] cc = Binning.countKeys(cur, keys);
                yield method == DriftMethod.Z ? DriftTests.zTest(rc, cc) : DriftTests.chiSquare(rc, cc);
            }
            case JENSEN_SHANNON, PSI, KL_DIV, L_INFINITY -> {
                double[][] f = binnedNumeric(ref, cur);
                yield binned(method, f[0], f[1]);
            }
        };
        return result(name, "numeric", method, o, options, ref.length, cur.length);
    }

    /**
     * Evidently's {@code get_binned_data} for numeric columns: Sturges bins over both samples when the
     * reference has more than 20 distinct values, else one bin per distinct value; fractions of each sample.
     */
    static double[][] binnedNumeric(double[] ref, double[] cur) {
        long[] rc;
        long[] cc;
        if (Binning.distinctUnionSorted(ref, new double[0], 20) > 20) {
            double[] edges = Binning.sturgesEdges(Math.min(ref[0], cur[0]),
                    Math.max(ref[ref.length - 1], cur[cur.length - 1]), (long) ref.length + cur.length);
            rc = Binning.histogramSorted(ref, edges);
            cc = Binning.histogramSorted(cur, edges);
        } else {
            double[] keys = Binning.unionKeys(ref, cur);
            rc = Binning.countKeys(ref, keys);
            cc = Binning.countKeys(cur, keys);
        }
        return new double[][] {Binning.fractions(rc, ref.length), Binning.fractions(cc, cur.length)};
    }

    static TestOutcome binned(DriftMethod method, double[] refFrac, double[] curFrac) {
        return switch (method) {
            case JENSEN_SHANNON -> TestOutcome.distance(DriftTests.jensenShannon(refFrac, curFrac));
            case L_INFINITY -> TestOutcome.distance(DriftTests.lInfinity(refFrac, curFrac));
            case PSI -> TestOutcome.distance(DriftTests.psi(Binning.fillZeros(refFrac), Binning.fillZeros(curFrac)));
            case KL_DIV -> TestOutcome.distance(
                    DriftTests.klDivergence(Binning.fillZeros(refFrac), Binning.fillZeros(curFrac)));
            case HELLINGER -> TestOutcome.distance(DriftTests.hellinger(refFrac, curFrac));
            default -> throw new IllegalArgumentException("method " + method.id() + " is not a binned method");
        };
    }

    static ColumnDrift categorical(String name, String[] ref, String[] cur, DriftOptions options) {
        if (ref.length == 0 || cur.length == 0) {
            throw new IllegalArgumentException("column '" + name + "': the " + (ref.length == 0 ? "reference" : "current")
                    + " data has no non-null values");
        }
        Map<String, long[]> counts = new HashMap<>();
        for (String v : ref) {
            counts.computeIfAbsent(v, k -> new long[2])[0]++;
        }
        for (String v : cur) {
            counts.computeIfAbsent(v, k -> new long[2])[1]++;
        }
        var sorted = new TreeMap<>(counts);
        long[] rc = new long[sorted.size()];
        long[] cc = new long[sorted.size()];
        int i = 0;
        for (long[] c : sorted.values()) {
            rc[i] = c[0];
            cc[i++] = c[1];
        }
        DriftMethod method = options.methodFor(name);
        if (method == null) {
            method = defaultMethod(false, ref.length, sorted.size());
        }
        if (!method.acceptsCategorical()) {
            throw new IllegalArgumentException("column '" + name + "': method " + method.id()
                    + " applies to numeric columns only");
        }
        TestOutcome o = switch (method) {
            case CHI_SQUARE -> DriftTests.chiSquare(rc, cc);
            case Z -> DriftTests.zTest(rc, cc);
            default -> binned(method, Binning.fractions(rc, ref.length), Binning.fractions(cc, cur.length));
        };
        return result(name, "categorical", method, o, options, ref.length, cur.length);
    }

    private static ColumnDrift result(String name, String type, DriftMethod method, TestOutcome o,
                                      DriftOptions options, long nRef, long nCur) {
        double threshold = options.thresholdFor(name, method);
        boolean drifted = method.rule().drifted(o.score(), threshold);
        return new ColumnDrift(name, type, method, o.statistic(), o.score(), method.scoreKind(), threshold, drifted,
                nRef, nCur);
    }
}

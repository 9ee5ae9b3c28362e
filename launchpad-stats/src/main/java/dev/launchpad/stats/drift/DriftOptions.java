package dev.launchpad.stats.drift;

import java.util.HashMap;
import java.util.Map;

/**
 * How a drift report is computed. Immutable; the {@code with*} methods return modified copies.
 *
 * @param driftShare share of drifted columns at which the dataset drifts (Evidently default 0.5)
 * @param method a method for every column, or {@code null} for the automatic choice
 * @param threshold a threshold for every column, or {@code null} for each method's default
 * @param columnMethods per-column method overrides (win over {@code method})
 * @param columnThresholds per-column threshold overrides (win over {@code threshold})
 * @param parallelism columns computed concurrently (1 = on the calling thread)
 */
public record DriftOptions(double driftShare, DriftMethod method, Double threshold,
                           Map<String, DriftMethod> columnMethods, Map<String, Double> columnThresholds,
                           int parallelism) {

    public DriftOptions {
        if (!(driftShare >= 0 && driftShare <= 1)) {
            throw new IllegalArgumentException("driftShare must be in [0, 1], got " + driftShare);
        }
        if (threshold != null && !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be finite, got " + threshold);
        }
        columnMethods = Map.copyOf(columnMethods == null ? Map.of() : columnMethods);
        columnThresholds = Map.copyOf(columnThresholds == null ? Map.of() : columnThresholds);
        for (var e : columnThresholds.entrySet()) {
            if (!Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException("threshold for column '" + e.getKey() + "' must be finite");
            }
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be ≥ 1, got " + parallelism);
        }
    }

    /** Evidently's defaults: automatic method per column, default thresholds, drift share 0.5, one thread. */
    public static DriftOptions defaults() {
        return new DriftOptions(0.5, null, null, Map.of(), Map.of(), 1);
    }

    public DriftOptions withDriftShare(double share) {
        return new DriftOptions(share, method, threshold, columnMethods, columnThresholds, parallelism);
    }

    /** Uses {@code m} for every column without a per-column override. */
    public DriftOptions withMethod(DriftMethod m) {
        return new DriftOptions(driftShare, m, threshold, columnMethods, columnThresholds, parallelism);
    }

    /** Uses {@code t} for every column without a per-column threshold. */
    public DriftOptions withThreshold(double t) {
        return new DriftOptions(driftShare, method, t, columnMethods, columnThresholds, parallelism);
    }

    /** Uses {@code m} for {@code column}. */
    public DriftOptions withMethod(String column, DriftMethod m) {
        var copy = new HashMap<>(columnMethods);
        copy.put(column, m);
        return new DriftOptions(driftShare, method, threshold, copy, columnThresholds, parallelism);
    }

    /** Uses threshold {@code t} for {@code column}. */
    public DriftOptions withThreshold(String column, double t) {
        var copy = new HashMap<>(columnThresholds);
        copy.put(column, t);
        return new DriftOptions(driftShare, method, threshold, columnMethods, copy, parallelism);
    }

    /** Computes up to {@code threads} columns at once. */
    public DriftOptions withParallelism(int threads) {
        return new DriftOptions(driftShare, method, threshold, columnMethods, columnThresholds, threads);
    }

    DriftMethod methodFor(String column) {
        DriftMethod m = columnMethods.get(column);
        return m != null ? m : method;
    }

    double thresholdFor(String column, DriftMethod m) {
        Double t = columnThresholds.get(column);
        if (t != null) {
            return t;
        }
        return threshold != null ? threshold : m.defaultThreshold();
    }
}

package dev.launchpad.stats.metrics;

import dev.launchpad.stats.Checks;

/**
 * Regression metrics with scikit-learn's definitions.
 *
 * @param mae mean absolute error
 * @param mse mean squared error
 * @param rmse root mean squared error
 * @param mape mean absolute percentage error as a fraction (sklearn: |y − ŷ| / max(|y|, ε))
 * @param r2 coefficient of determination (1 for a perfect fit of constant data, 0 for an imperfect one)
 */
public record RegressionMetrics(double mae, double mse, double rmse, double mape, double r2) {

    /** Metrics of predictions against finite true values. */
    public static RegressionMetrics of(double[] yTrue, double[] yPred) {
        Checks.notNull(yTrue, "yTrue");
        Checks.notNull(yPred, "yPred");
        Checks.sameLength(yTrue.length, yPred.length, "yTrue and yPred");
        int n = yTrue.length;
        if (n == 0) {
            throw new IllegalArgumentException("yTrue must not be empty");
        }
        double mean = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(yTrue[i]) || !Double.isFinite(yPred[i])) {
                throw new IllegalArgumentException("yTrue and yPred must be finite, found " + yTrue[i] + "/" + yPred[i]
                        + " at index " + i);
            }
            mean += yTrue[i];
        }
        mean /= n;
        double eps = Math.ulp(1.0);
        double abs = 0;
        double sq = 0;
        double pct = 0;
        double tot = 0;
        for (int i = 0; i < n; i++) {
            double e = yTrue[i] - yPred[i];
            abs += Math.abs(e);
            sq += e * e;
            pct += Math.abs(e) / Math.max(Math.abs(yTrue[i]), eps);
            tot += (yTrue[i] - mean) * (yTrue[i] - mean);
        }
        double r2 = tot == 0 ? (sq == 0 ? 1.0 : 0.0) : 1 - sq / tot;
        return new RegressionMetrics(abs / n, sq / n, Math.sqrt(sq / n), pct / n, r2);
    }
}

package dev.launchpad.stats.drift;

/**
 * The drift verdict for one column, always complete whether or not drift fired.
 *
 * @param column the column name
 * @param columnType {@code "numeric"} or {@code "categorical"}
 * @param method the test used (chosen automatically unless overridden)
 * @param statistic the test statistic (KS D, chi-square, z, A2, T; the distance itself for distance methods)
 * @param score the p-value for p-value methods, the distance for distance methods
 * @param scoreKind which of the two {@code score} is
 * @param threshold the threshold the score was compared with
 * @param drifted whether the score crossed the threshold by the method's rule
 * @param referenceCount present (finite / non-null) reference values used
 * @param currentCount present current values used
 */
public record ColumnDrift(String column, String columnType, DriftMethod method, double statistic, double score,
                          DriftMethod.ScoreKind scoreKind, double threshold, boolean drifted,
                          long referenceCount, long currentCount) {

    /** The p-value, or NaN for distance methods. */
    public double pValue() {
        return scoreKind == DriftMethod.ScoreKind.P_VALUE ? score : Double.NaN;
    }

    /** The distance, or NaN for p-value methods. */
    public double distance() {
        return scoreKind == DriftMethod.ScoreKind.DISTANCE ? score : Double.NaN;
    }
}

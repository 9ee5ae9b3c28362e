package dev.launchpad.stats.explain;

import dev.launchpad.stats.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.ToDoubleBiFunction;

/**
 * Permutation feature importance ({@code sklearn.inspection.permutation_importance}): how much a score
 * drops when one feature's column is shuffled, breaking its link with the target. Works for any model
 * given as a function from a batch of rows to predictions.
 */
public final class PermutationImportance {
    private PermutationImportance() {
    }

    /**
     * One feature's importance.
     *
     * @param feature the feature name
     * @param mean mean score drop over the repeats
     * @param std population standard deviation of the drops
     * @param drops the drop of each repeat
     */
    public record Importance(String feature, double mean, double std, double[] drops) {
    }

    /**
     * The result: the baseline score and one importance per feature, in column order.
     */
    public record Result(double baselineScore, List<Importance> importances) {
        public Result {
            importances = List.copyOf(importances);
        }

        /** The importance of the named feature. */
        public Importance of(String feature) {
            return importances.stream().filter(i -> i.feature().equals(feature)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no feature named '" + feature + "'"));
        }
    }

    /**
     * Computes permutation importance.
     *
     * @param model predictions for a batch of rows ({@code rows[i][j]} = feature j of row i)
     * @param rows the evaluation rows (not modified)
     * @param target the true values
     * @param score higher-is-better score of (true, predicted), e.g. R² or accuracy
     * @param features feature names, one per column
     * @param repeats shuffles per feature (sklearn's {@code n_repeats}, default 5)
     * @param seed random seed (results are reproducible)
     */
    public static Result compute(Function<double[][], double[]> model, double[][] rows, double[] target,
                                 ToDoubleBiFunction<double[], double[]> score, List<String> features, int repeats,
                                 long seed) {
        Checks.notNull(model, "model");
        Checks.notNull(rows, "rows");
        Checks.notNull(target, "target");
        Checks.notNull(score, "score");
        Checks.notNull(features, "features");
        Checks.sameLength(rows.length, target.length, "rows and target");
        if (rows.length < 2) {
            throw new IllegalArgumentException("rows must hold at least 2 rows");
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be ≥ 1, got " + repeats);
        }
        int width = features.size();
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null || rows[i].length != width) {
                throw new IllegalArgumentException("row " + i + " must have " + width + " features");
            }
        }
        double baseline = score.applyAsDouble(target, predict(model, rows));
        SplittableRandom random = new SplittableRandom(seed);
        List<Importance> out = new ArrayList<>(width);
        double[][] work = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            work[i] = rows[i].clone();
        }
        int[] perm = new int[rows.length];
        for (int f = 0; f < width; f++) {
            double[] drops = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                for (int i = 0; i < perm.length; i++) {
                    perm[i] = i;
                }
                for (int i = perm.length - 1; i > 0; i--) { // Fisher–Yates
                    int j = random.nextInt(i + 1);
                    int t = perm[i];
                    perm[i] = perm[j];
                    perm[j] = t;
                }
                for (int i = 0; i < rows.length; i++) {
                    work[i][f] = rows[perm[i]][f];
                }
                drops[r] = baseline - score.applyAsDouble(target, predict(model, work));
            }
            for (int i = 0; i < rows.length; i++) {
                work[i][f] = rows[i][f];
            }
            double mean = 0;
            for (double d : drops) {
                mean += d;
            }
            mean /= repeats;
            double ss = 0;
            for (double d : drops) {
                ss += (d - mean) * (d - mean);
            }
            out.add(new Importance(features.get(f), mean, Math.sqrt(ss / repeats), drops));
        }
        return new Result(baseline, out);
    }

    private static double[] predict(Function<double[][], double[]> model, double[][] rows) {
        double[] p = model.apply(rows);
        if (p == null || p.length != rows.length) {
            throw new IllegalArgumentException("model must return one prediction per row, got "
                    + (p == null ? "null" : p.length + " for " + rows.length + " rows"));
        }
        return p;
    }

    /** R² as a score, for regression models. */
    public static double r2(double[] yTrue, double[] yPred) {
        return dev.launchpad.stats.metrics.RegressionMetrics.of(yTrue, yPred).r2();
    }

    /** Accuracy as a score, for classifiers returning class labels as doubles. */
    public static double accuracy(double[] yTrue, double[] yPred) {
        long ok = 0;
        for (int i = 0; i < yTrue.length; i++) {
            if (yTrue[i] == yPred[i]) {
                ok++;
            }
        }
        return (double) ok / yTrue.length;
    }
}

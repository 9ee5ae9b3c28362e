package dev.launchpad.stats.metrics;

import dev.launchpad.stats.Checks;
import java.util.Arrays;

/**
 * Binary classification metrics with scikit-learn's definitions: accuracy, precision, recall and F1
 * at a threshold (0 when undefined, as sklearn's {@code zero_division=0}), ROC-AUC (ties count half),
 * PR-AUC as sklearn's {@code average_precision_score}, log loss (probabilities clipped to machine
 * epsilon) and calibration (expected calibration error over equal-width bins).
 *
 * @param accuracy share of correct predictions
 * @param precision TP / (TP + FP)
 * @param recall TP / (TP + FN)
 * @param f1 harmonic mean of precision and recall
 * @param rocAuc area under the ROC curve
 * @param prAuc average precision
 * @param logLoss mean negative log-likelihood
 * @param confusion the confusion matrix at the threshold
 * @param ece expected calibration error
 * @param calibration the reliability diagram behind {@code ece}
 */
public record ClassificationMetrics(double accuracy, double precision, double recall, double f1, double rocAuc,
                                    double prAuc, double logLoss, ConfusionMatrix confusion, double ece,
                                    Calibration calibration) {

    /**
     * The 2×2 confusion matrix.
     */
    public record ConfusionMatrix(long truePositives, long falsePositives, long trueNegatives, long falseNegatives) {
        /** sklearn's layout: rows = true class (0, 1), columns = predicted class (0, 1). */
        public long[][] asArray() {
            return new long[][] {{trueNegatives, falsePositives}, {falseNegatives, truePositives}};
        }
    }

    /**
     * Reliability diagram over equal-width probability bins ({@code sklearn.calibration.calibration_curve},
     * strategy "uniform", empty bins kept with count 0).
     *
     * @param binEdges bins+1 edges over [0, 1]
     * @param meanPredicted mean predicted probability per bin (NaN when empty)
     * @param fractionPositive observed share of positives per bin (NaN when empty)
     * @param counts samples per bin
     */
    public record Calibration(double[] binEdges, double[] meanPredicted, double[] fractionPositive, long[] counts) {
    }

    /** Metrics at threshold 0.5 with 10 calibration bins. */
    public static ClassificationMetrics binary(int[] yTrue, double[] probabilities) {
        return binary(yTrue, probabilities, 0.5, 10);
    }

    /**
     * Metrics for labels in {0, 1} and predicted probabilities of class 1 in [0, 1]; a sample is
     * predicted positive when its probability is ≥ {@code threshold}.
     */
    public static ClassificationMetrics binary(int[] yTrue, double[] probabilities, double threshold, int bins) {
        Checks.notNull(yTrue, "yTrue");
        Checks.notNull(probabilities, "probabilities");
        Checks.sameLength(yTrue.length, probabilities.length, "yTrue and probabilities");
        if (yTrue.length == 0) {
            throw new IllegalArgumentException("yTrue must not be empty");
        }
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be ≥ 1, got " + bins);
        }
        for (int i = 0; i < yTrue.length; i++) {
            if (yTrue[i] != 0 && yTrue[i] != 1) {
                throw new IllegalArgumentException("yTrue must hold 0 or 1, found " + yTrue[i] + " at index " + i);
            }
            if (!(probabilities[i] >= 0 && probabilities[i] <= 1)) {
                throw new IllegalArgumentException("probabilities must be in [0, 1], found " + probabilities[i]
                        + " at index " + i);
            }
        }
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (int i = 0; i < yTrue.length; i++) {
            boolean predicted = probabilities[i] >= threshold;
            if (yTrue[i] == 1) {
                if (predicted) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (predicted) {
                fp++;
            } else {
                tn++;
            }
        }
        double accuracy = (double) (tp + tn) / yTrue.length;
        double precision = tp + fp == 0 ? 0.0 : (double) tp / (tp + fp);
        double recall = tp + fn == 0 ? 0.0 : (double) tp / (tp + fn);
        double f1 = precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
        Calibration cal = calibration(yTrue, probabilities, bins);
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            if (cal.counts()[b] > 0) {
                ece += (double) cal.counts()[b] / yTrue.length
                        * Math.abs(cal.fractionPositive()[b] - cal.meanPredicted()[b]);
            }
        }
        return new ClassificationMetrics(accuracy, precision, recall, f1, rocAuc(yTrue, probabilities),
                averagePrecision(yTrue, probabilities), logLoss(yTrue, probabilities),
                new ConfusionMatrix(tp, fp, tn, fn), ece, cal);
    }

    /**
     * ROC-AUC ({@code sklearn.metrics.roc_auc_score}): the probability that a random positive scores above a
     * random negative, ties counting half. Needs both classes.
     */
    public static double rocAuc(int[] yTrue, double[] scores) {
        Checks.sameLength(yTrue.length, scores.length, "yTrue and scores");
        int n = yTrue.length;
        Integer[] order = sortedIndices(scores, true);
        long positives = Arrays.stream(yTrue).filter(v -> v == 1).count();
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("ROC-AUC needs both classes in yTrue");
        }
        // sum of midranks of positives (Mann–Whitney U)
        double rankSum = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double midrank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (yTrue[order[k]] == 1) {
                    rankSum += midrank;
                }
            }
            i = j + 1;
        }
        double u = rankSum - positives * (positives + 1) / 2.0;
        return u / ((double) positives * negatives);
    }

    /**
     * Average precision ({@code sklearn.metrics.average_precision_score}): Σ (Rₙ − Rₙ₋₁) Pₙ over the distinct
     * score thresholds, highest first. Needs at least one positive.
     */
    public static double averagePrecision(int[] yTrue, double[] scores) {
        Checks.sameLength(yTrue.length, scores.length, "yTrue and scores");
        int n = yTrue.length;
        long positives = Arrays.stream(yTrue).filter(v -> v == 1).count();
        if (positives == 0) {
            throw new IllegalArgumentException("average precision needs at least one positive in yTrue");
        }
        Integer[] order = sortedIndices(scores, false);
        long tp = 0;
        long fp = 0;
        double ap = 0;
        double prevRecall = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j < n && scores[order[j]] == scores[order[i]]) {
                if (yTrue[order[j]] == 1) {
                    tp++;
                } else {
                    fp++;
                }
                j++;
            }
            double recall = (double) tp / positives;
            double precision = (double) tp / (tp + fp);
            ap += (recall - prevRecall) * precision;
            prevRecall = recall;
            i = j;
        }
        return ap;
    }

    /** Log loss ({@code sklearn.metrics.log_loss}), probabilities clipped to [ε, 1 − ε] with ε = 2⁻⁵². */
    public static double logLoss(int[] yTrue, double[] probabilities) {
        Checks.sameLength(yTrue.length, probabilities.length, "yTrue and probabilities");
        double eps = Math.ulp(1.0);
        double sum = 0;
        for (int i = 0; i < yTrue.length; i++) {
            double p = Math.min(1 - eps, Math.max(eps, probabilities[i]));
            sum += yTrue[i] == 1 ? -Math.log(p) : -Math.log(1 - p);
        }
        return sum / yTrue.length;
    }

    static Calibration calibration(int[] yTrue, double[] p, int bins) {
        double[] edges = new double[bins + 1];
        for (int b = 0; b <= bins; b++) {
            edges[b] = (double) b / bins;
        }
        double[] sumP = new double[bins];
        double[] sumY = new double[bins];
        long[] counts = new long[bins];
        for (int i = 0; i < p.length; i++) {
            int b = Math.min(bins - 1, (int) Math.floor(p[i] * bins));
            sumP[b] += p[i];
            sumY[b] += yTrue[i];
            counts[b]++;
        }
        double[] meanP = new double[bins];
        double[] fracY = new double[bins];
        for (int b = 0; b < bins; b++) {
            meanP[b] = counts[b] == 0 ? Double.NaN : sumP[b] / counts[b];
            fracY[b] = counts[b] == 0 ? Double.NaN : sumY[b] / counts[b];
        }
        return new Calibration(edges, meanP, fracY, counts);
    }

    private static Integer[] sortedIndices(double[] scores, boolean ascending) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("scores must not contain NaN (index " + i + ")");
            }
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> ascending ? Double.compare(scores[a], scores[b]) : Double.compare(scores[b], scores[a]));
        return order;
    }
}

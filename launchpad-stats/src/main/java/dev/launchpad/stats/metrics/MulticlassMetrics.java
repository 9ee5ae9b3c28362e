package dev.launchpad.stats.metrics;

import dev.launchpad.stats.Checks;

/**
 * Multi-class metrics from predicted labels (sklearn definitions, macro averages over the classes,
 * 0 where undefined).
 *
 * @param accuracy share of correct predictions
 * @param macroPrecision unweighted mean of per-class precision
 * @param macroRecall unweighted mean of per-class recall
 * @param macroF1 unweighted mean of per-class F1
 * @param confusion counts[true][predicted]
 */
public record MulticlassMetrics(double accuracy, double macroPrecision, double macroRecall, double macroF1,
                                long[][] confusion) {

    /** Metrics for labels in [0, classes). */
    public static MulticlassMetrics of(int[] yTrue, int[] yPred, int classes) {
        Checks.notNull(yTrue, "yTrue");
        Checks.notNull(yPred, "yPred");
        Checks.sameLength(yTrue.length, yPred.length, "yTrue and yPred");
        if (yTrue.length == 0 || classes < 2) {
            throw new IllegalArgumentException("need at least one sample and two classes");
        }
        long[][] m = new long[classes][classes];
        long correct = 0;
        for (int i = 0; i < yTrue.length; i++) {
            if (yTrue[i] < 0 || yTrue[i] >= classes || yPred[i] < 0 || yPred[i] >= classes) {
                throw new IllegalArgumentException("labels must be in [0, " + classes + "), found " + yTrue[i] + "/"
                        + yPred[i] + " at index " + i);
            }
            m[yTrue[i]][yPred[i]]++;
            if (yTrue[i] == yPred[i]) {
                correct++;
            }
        }
        double p = 0;
        double r = 0;
        double f = 0;
        for (int c = 0; c < classes; c++) {
            long tp = m[c][c];
            long predicted = 0;
            long actual = 0;
            for (int k = 0; k < classes; k++) {
                predicted += m[k][c];
                actual += m[c][k];
            }
            double pc = predicted == 0 ? 0 : (double) tp / predicted;
            double rc = actual == 0 ? 0 : (double) tp / actual;
            p += pc;
            r += rc;
            f += pc + rc == 0 ? 0 : 2 * pc * rc / (pc + rc);
        }
        return new MulticlassMetrics((double) correct / yTrue.length, p / classes, r / classes, f / classes, m);
    }
}

package dev.launchpad.stats.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Expected values are scikit-learn's documented examples or hand computations shown in comments. */
class MetricsTest {
    static final double EPS = 1e-12;

    @Test
    void binaryMetricsOnSklearnsExample() {
        int[] y = {0, 0, 1, 1};
        double[] p = {0.1, 0.4, 0.35, 0.8};
        var m = ClassificationMetrics.binary(y, p);
        assertThat(m.rocAuc()).isCloseTo(0.75, within(EPS)); // sklearn roc_auc_score docs
        assertThat(m.prAuc()).isCloseTo(0.5 * 1 + 0.5 * (2.0 / 3), within(EPS)); // 0.8333, average_precision_score docs
        // threshold 0.5 -> predictions 0 0 0 1: TP 1, FP 0, TN 2, FN 1
        assertThat(m.confusion()).isEqualTo(new ClassificationMetrics.ConfusionMatrix(1, 0, 2, 1));
        assertThat(m.confusion().asArray()).isDeepEqualTo(new long[][] {{2, 0}, {1, 1}});
        assertThat(m.accuracy()).isEqualTo(0.75);
        assertThat(m.precision()).isEqualTo(1.0);
        assertThat(m.recall()).isEqualTo(0.5);
        assertThat(m.f1()).isCloseTo(2.0 / 3, within(EPS));
        // one sample per bin: |0-0.1|, |0-0.4|, |1-0.35|, |1-0.8| averaged
        assertThat(m.ece()).isCloseTo((0.1 + 0.4 + 0.65 + 0.2) / 4, within(EPS));
        assertThat(m.calibration().counts()).containsExactly(0, 1, 0, 1, 1, 0, 0, 0, 1, 0);
        // -(ln .9 + ln .6 + ln .35 + ln .8) / 4
        assertThat(m.logLoss()).isCloseTo(-(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4,
                within(EPS));
    }

    @Test
    void logLossOnSklearnsExample() {
        // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) = 0.21616...
        assertThat(ClassificationMetrics.logLoss(new int[] {1, 0, 0, 1}, new double[] {0.9, 0.1, 0.2, 0.65}))
                .isCloseTo(0.21616187468057912, within(1e-12));
        assertThat(ClassificationMetrics.logLoss(new int[] {1}, new double[] {0.0})).isCloseTo(36.04365338911715,
                within(1e-9)); // -ln(2^-52)
    }

    @Test
    void tiesCountHalf() {
        int[] y = {0, 1, 0, 1};
        double[] s = {0.5, 0.5, 0.2, 0.9};
        // pairs (pos, neg): (0.5, 0.5) = 1/2, the three others = 1 -> 3.5 / 4
        assertThat(ClassificationMetrics.rocAuc(y, s)).isEqualTo(0.875);
        // thresholds 0.9: R .5 P 1; 0.5: R 1 P 2/3; 0.2: R 1 -> .5 + .5 * 2/3
        assertThat(ClassificationMetrics.averagePrecision(y, s)).isCloseTo(0.5 + 1.0 / 3, within(EPS));
        assertThatThrownBy(() -> ClassificationMetrics.rocAuc(new int[] {1, 1}, new double[] {0.1, 0.2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both classes");
        assertThatThrownBy(() -> ClassificationMetrics.binary(new int[] {0, 2}, new double[] {0.1, 0.2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("yTrue");
        assertThatThrownBy(() -> ClassificationMetrics.binary(new int[] {0, 1}, new double[] {0.1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same length");
    }

    @Test
    void regressionOnSklearnsExample() {
        double[] y = {3, -0.5, 2, 7};
        double[] p = {2.5, 0.0, 2, 8};
        var m = RegressionMetrics.of(y, p);
        assertThat(m.mae()).isEqualTo(0.5);
        assertThat(m.mse()).isEqualTo(0.375);
        assertThat(m.rmse()).isCloseTo(Math.sqrt(0.375), within(EPS));
        assertThat(m.r2()).isCloseTo(0.9486081370449679, within(EPS)); // r2_score docs
        assertThat(m.mape()).isCloseTo(0.3273809523809524, within(EPS)); // mean_absolute_percentage_error docs
        assertThat(RegressionMetrics.of(new double[] {1, 1}, new double[] {1, 1}).r2()).isEqualTo(1.0);
        assertThat(RegressionMetrics.of(new double[] {1, 1}, new double[] {1, 2}).r2()).isEqualTo(0.0);
        assertThatThrownBy(() -> RegressionMetrics.of(new double[] {Double.NaN}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
    }

    @Test
    void multiclass() {
        int[] y = {0, 1, 2, 2, 1, 0};
        int[] p = {0, 2, 2, 2, 1, 1};
        var m = MulticlassMetrics.of(y, p, 3);
        assertThat(m.accuracy()).isCloseTo(4.0 / 6, within(EPS));
        // precision: c0 1/1, c1 1/2, c2 2/3; recall: c0 1/2, c1 1/2, c2 2/2
        assertThat(m.macroPrecision()).isCloseTo((1 + 0.5 + 2.0 / 3) / 3, within(EPS));
        assertThat(m.macroRecall()).isCloseTo((0.5 + 0.5 + 1) / 3, within(EPS));
        assertThat(m.confusion()[1][2]).isEqualTo(1);
    }
}

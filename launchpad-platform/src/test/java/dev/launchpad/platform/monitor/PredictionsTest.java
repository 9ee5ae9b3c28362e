package dev.launchpad.platform.monitor;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which output is the prediction and what its score means. */
class PredictionsTest {
    @Test
    void twoClassesScorePOfClassIndexOneMoreTheConfidenceInThePrediction() {
        var probabilities = List.of(FeatureBatch.Feature.numeric("p_0", new double[] {0.9, 0.3}),
                FeatureBatch.Feature.numeric("p_1", new double[] {0.1, 0.7}));
        var zeroOne = new java.util.ArrayList<>(List.of(FeatureBatch.Feature.categorical("label", new String[] {"0", "1"})));
        zeroOne.addAll(probabilities);
        assertThat(Predictions.rows(new FeatureBatch(2, zeroOne)))
                .containsExactly(new Predictions.Row("0", 0.1, 2), new Predictions.Row("1", 0.7, 2));

        var named = new java.util.ArrayList<>(List.of(FeatureBatch.Feature.categorical("label", new String[] {"ok", "fraud"})));
        named.addAll(probabilities);
        assertThat(Predictions.rows(new FeatureBatch(2, named)))
                .containsExactly(new Predictions.Row("ok", 0.1, 2), new Predictions.Row("fraud", 0.7, 2));

        // probabilities alone: the class index is the prediction, P(class 1) the score
        assertThat(Predictions.rows(new FeatureBatch(2, probabilities)))
                .containsExactly(new Predictions.Row("0", 0.1, 2), new Predictions.Row("1", 0.7, 2));

        // three classes: the top probability, and the count that says it is not P(class 1)
        var three = List.of(FeatureBatch.Feature.numeric("p_0", new double[] {0.6, 0.2}),
                FeatureBatch.Feature.numeric("p_1", new double[] {0.3, 0.5}),
                FeatureBatch.Feature.numeric("p_2", new double[] {0.1, 0.3}));
        assertThat(Predictions.rows(new FeatureBatch(2, three)))
                .containsExactly(new Predictions.Row("0", 0.6, 3), new Predictions.Row("1", 0.5, 3));
        // a label alone (an int64 output): a class, with no probabilities
        assertThat(Predictions.rows(new FeatureBatch(1, List.of(FeatureBatch.Feature.categorical("y", new String[] {"2"})))))
                .containsExactly(new Predictions.Row("2", null, 0));
        // a value (regression): no classes
        assertThat(Predictions.rows(new FeatureBatch(1, List.of(FeatureBatch.Feature.numeric("y", new double[] {2.5})))))
                .containsExactly(new Predictions.Row("2.5", null, null));
    }

    @Test
    void aZeroOneModelWithATunedThresholdStillScoresPOfClassOne() {
        // label 1 at P(1) = 0.4: the model's threshold is below 0.5; the score stays P(1), as AUC needs
        var outputs = List.of(FeatureBatch.Feature.categorical("label", new String[] {"1", "0"}),
                FeatureBatch.Feature.numeric("p_0", new double[] {0.6, 0.8}),
                FeatureBatch.Feature.numeric("p_1", new double[] {0.4, 0.2}));
        assertThat(Predictions.rows(new FeatureBatch(2, outputs)))
                .containsExactly(new Predictions.Row("1", 0.4, 2), new Predictions.Row("0", 0.2, 2));
        // a row without probabilities (all NaN) predicts nothing and does not make the others something else
        var withNaN = List.of(FeatureBatch.Feature.numeric("p_0", new double[] {0.6, Double.NaN}),
                FeatureBatch.Feature.numeric("p_1", new double[] {0.4, Double.NaN}));
        assertThat(Predictions.task(new FeatureBatch(2, withNaN))).isEqualTo(Predictions.Task.CLASSIFICATION);
        assertThat(Predictions.rows(new FeatureBatch(2, withNaN)))
                .containsExactly(new Predictions.Row("0", 0.4, 2), new Predictions.Row(null, null, 2));
        // some NaN in a row: not probabilities (independent scores, one missing)
        var partly = List.of(FeatureBatch.Feature.numeric("s_0", new double[] {0.9}),
                FeatureBatch.Feature.numeric("s_1", new double[] {Double.NaN}),
                FeatureBatch.Feature.numeric("s_2", new double[] {0.8}));
        assertThat(Predictions.task(new FeatureBatch(1, partly))).isEqualTo(Predictions.Task.REGRESSION);
    }

    @Test
    void indexedOutputsThatAreNotProbabilitiesAreNotReadAsAClassifiers() {
        // logits, and two regression targets: no class, no score; the first output is the predicted value
        var logits = List.of(FeatureBatch.Feature.numeric("logits_0", new double[] {2.5, -1}),
                FeatureBatch.Feature.numeric("logits_1", new double[] {-0.5, 3}));
        assertThat(Predictions.task(new FeatureBatch(2, logits))).isEqualTo(Predictions.Task.REGRESSION);
        assertThat(Predictions.rows(new FeatureBatch(2, logits)))
                .containsExactly(new Predictions.Row("2.5", null, null), new Predictions.Row("-1", null, null));
        var targets = List.of(FeatureBatch.Feature.numeric("y_0", new double[] {0.2}),
                FeatureBatch.Feature.numeric("y_1", new double[] {0.3}));
        assertThat(Predictions.task(new FeatureBatch(1, targets))).isEqualTo(Predictions.Task.REGRESSION);
        // softmax output in float precision still sums to 1
        var softmax = List.of(FeatureBatch.Feature.numeric("out_0", new double[] {(float) 0.3333333}),
                FeatureBatch.Feature.numeric("out_1", new double[] {(float) 0.3333333}),
                FeatureBatch.Feature.numeric("out_2", new double[] {(float) 0.3333334}));
        assertThat(Predictions.task(new FeatureBatch(1, softmax))).isEqualTo(Predictions.Task.CLASSIFICATION);
    }
}

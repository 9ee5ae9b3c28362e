package dev.launchpad.stats.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PermutationImportanceTest {

    @Test
    void ranksFeaturesByTheirEffect() {
        var rnd = new Random(1);
        int n = 2000;
        double[][] rows = new double[n][3];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            rows[i] = new double[] {rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()};
            y[i] = 3 * rows[i][0] + rows[i][2] + 0.1 * rnd.nextGaussian();
        }
        Function<double[][], double[]> model = batch -> {
            double[] out = new double[batch.length];
            for (int i = 0; i < batch.length; i++) {
                out[i] = 3 * batch[i][0] + batch[i][2]; // ignores feature 1
            }
            return out;
        };
        double[][] before = java.util.Arrays.stream(rows).map(double[]::clone).toArray(double[][]::new);
        var r = PermutationImportance.compute(model, rows, y, PermutationImportance::r2, List.of("a", "b", "c"), 5, 42);
        assertThat(r.baselineScore()).isGreaterThan(0.99);
        // shuffling a feature with weight w and unit variance adds ~2 w² of error to a total variance of 10
        assertThat(r.of("a").mean()).isBetween(1.5, 2.1); // ≈ 2·9/10
        assertThat(r.of("c").mean()).isBetween(0.12, 0.28); // ≈ 2·1/10
        assertThat(r.of("b").mean()).isZero();
        assertThat(r.of("b").std()).isZero();
        assertThat(r.of("a").drops()).hasSize(5);
        assertThat(rows).isDeepEqualTo(before); // input untouched
        // reproducible
        var again = PermutationImportance.compute(model, rows, y, PermutationImportance::r2, List.of("a", "b", "c"), 5, 42);
        assertThat(again.of("a").drops()).containsExactly(r.of("a").drops());
    }

    @Test
    void badInput() {
        double[][] rows = {{1, 2}, {3, 4}};
        assertThatThrownBy(() -> PermutationImportance.compute(b -> new double[1], rows, new double[] {1, 2},
                PermutationImportance::r2, List.of("x", "y"), 3, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one prediction per row");
        assertThatThrownBy(() -> PermutationImportance.compute(b -> new double[2], rows, new double[] {1, 2},
                PermutationImportance::r2, List.of("x"), 3, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 0");
        assertThatThrownBy(() -> PermutationImportance.compute(b -> new double[2], rows, new double[] {1, 2},
                PermutationImportance::r2, List.of("x", "y"), 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("repeats");
    }
}

package dev.launchpad.stats.fairness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * A worked example, computed by hand:
 * <pre>
 * group A (8): y = 1 1 1 1 0 0 0 0, ŷ = 1 1 1 0 1 0 0 0 → selection 4/8, TPR 3/4, FPR 1/4
 * group B (6): y = 1 1 1 0 0 0,     ŷ = 1 0 0 1 0 0     → selection 2/6, TPR 1/3, FPR 1/3
 * group C (4): y = 1 0 1 0,         ŷ = 1 1 1 0         → selection 3/4, TPR 2/2, FPR 1/2
 * </pre>
 */
class FairnessMetricsTest {
    static final double EPS = 1e-12;
    static final int[] Y_AB = {1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0};
    static final int[] P_AB = {1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0};
    static final String[] G_AB = {"A", "A", "A", "A", "A", "A", "A", "A", "B", "B", "B", "B", "B", "B"};

    @Test
    void twoGroups() {
        var f = FairnessMetrics.of(Y_AB, P_AB, G_AB);
        assertThat(f.groups().get("A").selectionRate()).isEqualTo(0.5);
        assertThat(f.groups().get("B").selectionRate()).isCloseTo(1.0 / 3, within(EPS));
        assertThat(f.demographicParityDifference()).isCloseTo(0.5 - 1.0 / 3, within(EPS)); // 0.1667
        assertThat(f.demographicParityRatio()).isCloseTo((1.0 / 3) / 0.5, within(EPS)); // 0.6667
        // TPR 3/4 vs 1/3 → 0.4167; FPR 1/4 vs 1/3 → 0.0833; equalized odds = the larger
        assertThat(f.equalizedOddsDifference()).isCloseTo(0.75 - 1.0 / 3, within(EPS));
        assertThat(f.equalOpportunityDifference()).isCloseTo(0.75 - 1.0 / 3, within(EPS));
        assertThat(f.disparateImpact()).isCloseTo(2.0 / 3, within(EPS));
        assertThat(f.passesFourFifthsRule()).isFalse();

        var aif = FairnessMetrics.of(Y_AB, P_AB, G_AB, "A");
        assertThat(aif.disparateImpact()).isCloseTo((1.0 / 3) / 0.5, within(EPS));
        assertThat(aif.equalOpportunityDifference()).isCloseTo(1.0 / 3 - 0.75, within(EPS)); // AIF360 is signed
        assertThat(aif.passesFourFifthsRule()).isFalse();
    }

    @Test
    void threeGroupsPoolTheUnprivileged() {
        int[] y = concat(Y_AB, new int[] {1, 0, 1, 0});
        int[] p = concat(P_AB, new int[] {1, 1, 1, 0});
        String[] g = new String[18];
        System.arraycopy(G_AB, 0, g, 0, 14);
        java.util.Arrays.fill(g, 14, 18, "C");
        var f = FairnessMetrics.of(y, p, g);
        assertThat(f.demographicParityDifference()).isCloseTo(0.75 - 1.0 / 3, within(EPS));
        assertThat(f.demographicParityRatio()).isCloseTo((1.0 / 3) / 0.75, within(EPS));
        // TPR 3/4, 1/3, 1 → 2/3; FPR 1/4, 1/3, 1/2 → 1/4
        assertThat(f.equalizedOddsDifference()).isCloseTo(1 - 1.0 / 3, within(EPS));
        // privileged A against B ∪ C: selection (2 + 3) / 10 = 0.5 → DI 1.0; TPR (1 + 2) / 5 = 0.6 → 0.6 − 0.75
        var aif = FairnessMetrics.of(y, p, g, "A");
        assertThat(aif.disparateImpact()).isCloseTo(1.0, within(EPS));
        assertThat(aif.passesFourFifthsRule()).isTrue();
        assertThat(aif.equalOpportunityDifference()).isCloseTo(0.6 - 0.75, within(EPS));
    }

    @Test
    void badInput() {
        assertThatThrownBy(() -> FairnessMetrics.of(Y_AB, P_AB, new String[14]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sensitive");
        assertThatThrownBy(() -> FairnessMetrics.of(Y_AB, P_AB, G_AB, "Z"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Z'");
        assertThatThrownBy(() -> FairnessMetrics.of(Y_AB, new int[] {1}, G_AB))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same length");
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

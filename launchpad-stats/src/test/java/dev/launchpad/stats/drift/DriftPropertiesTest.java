package dev.launchpad.stats.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.launchpad.stats.Column;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Properties every drift method must have: a sample never drifts from itself; a clear shift is caught. */
class DriftPropertiesTest {

    @Property(tries = 60)
    void aSampleDoesNotDriftFromItself(@ForAll long seed, @ForAll @IntRange(min = 30, max = 3000) int n,
                                       @ForAll DriftMethod method) {
        var rnd = new Random(seed);
        double[] x = DriftDetectorTest.normal(rnd, n, rnd.nextDouble() * 100, 0.1 + rnd.nextDouble() * 10);
        ColumnDrift d = DriftDetector.column(Column.numeric("x", x), Column.numeric("x", x.clone()),
                DriftOptions.defaults().withMethod(method));
        assertThat(d.drifted()).as(method + " " + d).isFalse();
        if (method.scoreKind() == DriftMethod.ScoreKind.DISTANCE) {
            // Hellinger is sqrt(1 - BC) with BC = 1 up to rounding, so its zero is only ~1e-8
            double tol = method == DriftMethod.HELLINGER ? 1e-6 : 1e-9;
            assertThat(d.distance()).as(method.id()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(tol));
        }
    }

    @Property(tries = 40)
    void aCategoricalSampleDoesNotDriftFromItself(@ForAll long seed, @ForAll @IntRange(min = 20, max = 3000) int n,
                                                  @ForAll @IntRange(min = 1, max = 30) int categories) {
        var rnd = new Random(seed);
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            values[i] = "c" + rnd.nextInt(categories);
        }
        for (DriftMethod method : DriftMethod.values()) {
            if (!method.acceptsCategorical()) {
                continue;
            }
            ColumnDrift d = DriftDetector.column(Column.categorical("c", values), Column.categorical("c", values.clone()),
                    DriftOptions.defaults().withMethod(method));
            assertThat(d.drifted()).as(method + " " + d).isFalse();
        }
        assertThat(DriftDetector.column(Column.categorical("c", values), Column.categorical("c", values)).drifted())
                .isFalse();
    }

    @Property(tries = 40)
    void aShiftOfOneStandardDeviationIsDetected(@ForAll long seed, @ForAll @IntRange(min = 300, max = 4000) int n,
                                                @ForAll @DoubleRange(min = 0.1, max = 50) double sd,
                                                @ForAll DriftMethod method) {
        if (method == DriftMethod.Z) {
            return; // the Z-test compares proportions of a binary column, not continuous values
        }
        var rnd = new Random(seed);
        double[] ref = DriftDetectorTest.normal(rnd, n, 0, sd);
        double[] cur = DriftDetectorTest.normal(rnd, n, sd, sd);
        ColumnDrift d = DriftDetector.column(Column.numeric("x", ref), Column.numeric("x", cur),
                DriftOptions.defaults().withMethod(method));
        if (method == DriftMethod.L_INFINITY) {
            // L-infinity compares per-bin frequencies with a 0.3 threshold: a 1-sd shift moves ~0.1-0.2 per bin
            assertThat(d.distance()).isGreaterThan(0.02);
            return;
        }
        assertThat(d.drifted()).as(method + " " + d).isTrue();
    }

    @Property(tries = 30)
    void automaticChoiceDetectsShiftsAndIgnoresResampling(@ForAll long seed,
                                                          @ForAll @IntRange(min = 200, max = 5000) int n) {
        var rnd = new Random(seed);
        double[] ref = DriftDetectorTest.normal(rnd, n, 10, 2);
        double[] shifted = DriftDetectorTest.normal(rnd, n, 12, 2);
        assertThat(DriftDetector.column(Column.numeric("x", ref), Column.numeric("x", shifted)).drifted()).isTrue();
        assertThat(DriftDetector.column(Column.numeric("x", ref), Column.numeric("x", ref.clone())).drifted()).isFalse();
    }
}

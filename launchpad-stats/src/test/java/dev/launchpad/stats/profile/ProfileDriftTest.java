package dev.launchpad.stats.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchpad.stats.Column;
import dev.launchpad.stats.Dataset;
import dev.launchpad.stats.drift.ColumnDrift;
import dev.launchpad.stats.drift.DriftDetector;
import dev.launchpad.stats.drift.DriftMethod;
import dev.launchpad.stats.drift.DriftOptions;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Drift from sketches agrees with the exact tests on the raw data within the documented error bounds. */
class ProfileDriftTest {

    static double[] normal(Random rnd, int n, double mean) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = mean + rnd.nextGaussian();
        }
        return x;
    }

    @ParameterizedTest
    @CsvSource({"1, 100000, 0.0", "2, 100000, 0.05", "3, 300000, 0.3", "4, 150, 0.5", "5, 50000, 1.0"})
    void numericProfileDriftMatchesExactWithinBounds(long seed, int n, double shift) {
        var rnd = new Random(seed);
        double[] ref = normal(rnd, n, 0);
        double[] cur = normal(rnd, n, shift);
        ColumnProfile pr = ColumnProfile.of(Column.numeric("x", ref));
        ColumnProfile pc = ColumnProfile.of(Column.numeric("x", cur));
        for (DriftMethod m : new DriftMethod[] {DriftMethod.KS, DriftMethod.L_INFINITY, DriftMethod.JENSEN_SHANNON,
                DriftMethod.PSI}) {
            ColumnDrift exact = DriftDetector.column(Column.numeric("x", ref), Column.numeric("x", cur),
                    DriftOptions.defaults().withMethod(m));
            ProfileDrift.Approximate approx = ProfileDrift.column(pr, pc, m, m.defaultThreshold());
            double bound = approx.errorBound();
            if (m == DriftMethod.PSI) {
                // no guaranteed bound: exact for exact sketches, else measured within max(0.06, 15 %) at k = 200
                assertThat(approx.drift().statistic()).as("psi").isCloseTo(exact.statistic(),
                        org.assertj.core.data.Offset.offset(n <= 200 ? 1e-12 : Math.max(0.06, 0.15 * exact.statistic())));
                if (n <= 200) {
                    assertThat(approx.errorBound()).isZero();
                } else {
                    assertThat(approx.errorBound()).isNaN();
                }
                continue;
            }
            assertThat(Math.abs(approx.drift().statistic() - exact.statistic())).as(m + " bound " + bound)
                    .isLessThanOrEqualTo(bound + 1e-12);
            if (n <= 200) {
                assertThat(bound).as("exact sketches").isZero();
            }
        }
        // the verdict of the default (JS) agrees with the exact one whenever the exact distance is not near the threshold
        ColumnDrift exactJs = DriftDetector.column(Column.numeric("x", ref), Column.numeric("x", cur),
                DriftOptions.defaults().withMethod(DriftMethod.JENSEN_SHANNON));
        if (Math.abs(exactJs.distance() - 0.1) > 0.02) {
            assertThat(ProfileDrift.column(pr, pc, DriftMethod.JENSEN_SHANNON, 0.1).drift().drifted())
                    .isEqualTo(exactJs.drifted());
        }
    }

    @Test
    void aReferenceWithoutADistinctCountBinsAsOneWithIt() {
        var rnd = new Random(12);
        // many distinct values (Sturges bins) and few (one bin per value), each sketch exact and past exact
        for (int n : new int[] {150, 60_000}) {
            for (int distinct : new int[] {0, 7}) {
                double[] ref = normal(rnd, n, 0);
                double[] cur = normal(rnd, n, 0.4);
                if (distinct > 0) {
                    for (int i = 0; i < n; i++) {
                        ref[i] = Math.floorMod(Math.round(ref[i] * 3), distinct);
                        cur[i] = Math.floorMod(Math.round(cur[i] * 3), distinct);
                    }
                }
                var full = ColumnProfile.of(Column.numeric("x", ref));
                var lean = ColumnProfile.numericWithoutDistinctCount("x");
                lean.update(ref);
                var current = ColumnProfile.numericWithoutDistinctCount("x");
                current.update(cur);
                for (DriftMethod m : new DriftMethod[] {DriftMethod.JENSEN_SHANNON, DriftMethod.PSI, DriftMethod.L_INFINITY}) {
                    var withCount = ProfileDrift.column(full, current, m, m.defaultThreshold());
                    var without = ProfileDrift.column(lean, current, m, m.defaultThreshold());
                    assertThat(without.drift().statistic()).as(m + ", " + n + " rows, " + distinct + " values")
                            .isEqualTo(withCount.drift().statistic());
                    assertThat(Double.valueOf(without.errorBound())).isEqualTo(Double.valueOf(withCount.errorBound()));
                }
            }
        }
    }

    @Test
    void categoricalProfileDriftIsExactUnderCapacity() {
        var rnd = new Random(12);
        String[] ref = new String[20_000];
        String[] cur = new String[15_000];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = "c" + rnd.nextInt(30);
        }
        for (int i = 0; i < cur.length; i++) {
            cur[i] = "c" + (rnd.nextDouble() < 0.2 ? 0 : rnd.nextInt(35));
        }
        var pr = ColumnProfile.of(Column.categorical("c", ref));
        var pc = ColumnProfile.of(Column.categorical("c", cur));
        for (DriftMethod m : new DriftMethod[] {DriftMethod.L_INFINITY, DriftMethod.JENSEN_SHANNON, DriftMethod.PSI}) {
            ColumnDrift exact = DriftDetector.column(Column.categorical("c", ref), Column.categorical("c", cur),
                    DriftOptions.defaults().withMethod(m));
            var approx = ProfileDrift.column(pr, pc, m, m.defaultThreshold());
            assertThat(approx.errorBound()).isZero();
            assertThat(approx.drift().statistic()).as(m.id()).isCloseTo(exact.statistic(),
                    org.assertj.core.data.Offset.offset(1e-12));
            assertThat(approx.drift().drifted()).isEqualTo(exact.drifted());
        }
    }

    @Test
    void categoricalBoundHoldsBeyondCapacity() {
        var rnd = new Random(4);
        String[] ref = new String[100_000];
        String[] cur = new String[100_000];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = "c" + (int) Math.floor(Math.pow(rnd.nextDouble(), 2) * 2000);
            cur[i] = "c" + (int) Math.floor(Math.pow(rnd.nextDouble(), 2.5) * 2000);
        }
        var pr = ColumnProfile.of(Column.categorical("c", ref));
        var pc = ColumnProfile.of(Column.categorical("c", cur));
        var exact = DriftDetector.column(Column.categorical("c", ref), Column.categorical("c", cur),
                DriftOptions.defaults().withMethod(DriftMethod.L_INFINITY));
        var approx = ProfileDrift.column(pr, pc, DriftMethod.L_INFINITY, 0.3);
        assertThat(approx.errorBound()).isPositive();
        assertThat(Math.abs(approx.drift().statistic() - exact.statistic())).isLessThanOrEqualTo(approx.errorBound());
    }

    @Test
    void datasetReportFromProfiles() {
        var rnd = new Random(21);
        var ref = Dataset.of(Column.numeric("a", normal(rnd, 50_000, 0)), Column.numeric("b", normal(rnd, 50_000, 0)));
        var cur = Dataset.of(Column.numeric("a", normal(rnd, 50_000, 0)), Column.numeric("b", normal(rnd, 50_000, 1)));
        var report = ProfileDrift.report(DatasetProfile.of(ref), DatasetProfile.of(cur), 0.5);
        assertThat(report.column("a").drifted()).isFalse();
        assertThat(report.column("b").drifted()).isTrue();
        assertThat(report.datasetDrift()).isTrue();
        var ks = ProfileDrift.report(DatasetProfile.of(ref), DatasetProfile.of(cur), Map.of("a", DriftMethod.KS), 0.5);
        assertThat(ks.column("a").method()).isEqualTo(DriftMethod.KS);
        assertThat(ks.column("a").pValue()).isGreaterThan(0.05);
        assertThatThrownBy(() -> ProfileDrift.column(DatasetProfile.of(ref).column("a"), DatasetProfile.of(cur).column("a"),
                DriftMethod.ANDERSON, 0.1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
    }
}
